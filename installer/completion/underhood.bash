# bash completion for underhood, underhood-cli and underhood-capture
# (installed under each of their names: bash-completion loads it by command name).

# Network interfaces, as the kernel lists them.
_underhood_interfaces()
{
    local ifs=() d
    for d in /sys/class/net/*; do
        [ -e "$d" ] && ifs+=("${d##*/}")
    done
    COMPREPLY+=($(compgen -W "${ifs[*]}" -- "$cur"))
}

# Capture files first, any file if none match.
_underhood_captures()
{
    _filedir '@(pcap|pcapng|cap|dmp|ntar|pcap.gz|pcapng.gz)'
}

# Display-filter or output fields for -e, from the program that takes them
# (underhood-cli lists them with `fields --list` where it has that verb).
_underhood_fields()
{
    local fields
    fields=$("${COMP_WORDS[0]}" fields --list 2>/dev/null) || return 0
    COMPREPLY+=($(compgen -W "$fields" -- "$cur"))
}

_underhood()
{
    local cur prev words cword
    _init_completion || return
    case $prev in
        -r | --read) _underhood_captures; return ;;
        -i | --interface) _underhood_interfaces; return ;;
        -m | --mode) COMPREPLY=($(compgen -W 'ip ether port' -- "$cur")); return ;;
        --screenshot) _filedir png; return ;;
        -f | --filter | --select) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-r --read -i --interface -f --filter -m --mode --screenshot --select -h --help -v --version' -- "$cur"))
        return
    fi
    _underhood_captures
}

_underhood_cli()
{
    local cur prev words cword
    _init_completion || return
    if [ "$cword" -eq 1 ]; then
        COMPREPLY=($(compgen -W 'stats graph --help --version' -- "$cur"))
        return
    fi
    local verb=${words[1]}
    case $prev in
        --layer) COMPREPLY=($(compgen -W 'ip ether port' -- "$cur")); return ;;
        -i) _underhood_interfaces; return ;;
        -e) _underhood_fields; return ;;
        -o | --output) _filedir '@(png|svg)'; return ;;
        --theme) COMPREPLY=($(compgen -W 'light dark' -- "$cur")); return ;;
        --cluster) COMPREPLY=($(compgen -W 'auto 24 16 internet off' -- "$cur")); return ;;
        --layout) COMPREPLY=($(compgen -W 'force circle' -- "$cur")); return ;;
        --size-by) COMPREPLY=($(compgen -W 'total rate' -- "$cur")); return ;;
        --top | --at | --window | --size) return ;;
    esac
    if [[ $cur == -* ]]; then
        case $verb in
            stats) COMPREPLY=($(compgen -W '--json --layer --top --help' -- "$cur")) ;;
            graph) COMPREPLY=($(compgen -W '-o --layer --at --window --size --theme --cluster --top --layout --size-by --list --help' -- "$cur")) ;;
        esac
        return
    fi
    _underhood_captures
}

_underhood_capture()
{
    local cur prev words cword
    _init_completion || return
    case $prev in
        -i) _underhood_interfaces; return ;;
        -w) _filedir '@(pcapng)'; return ;;
        --backend) COMPREPLY=($(compgen -W 'afpacket pcap' -- "$cur")); return ;;
        -a) COMPREPLY=($(compgen -W 'duration:' -- "$cur")); compopt -o nospace; return ;;
        --linktype) COMPREPLY=($(compgen -W 'EN10MB RAW LINUX_SLL LINUX_SLL2 NULL LOOP IEEE802_11 IEEE802_11_RADIO PPP' -- "$cur")); return ;;
        -f | -s | -B | --fd | -c | --ring-files | --file-size | --stats-interval | --queue | --check-filter) return ;;
    esac
    COMPREPLY=($(compgen -W '-i -f -s -B --backend --no-promisc -w --fd -c -a --ring-files --file-size --stats-interval --queue -D --check-filter --linktype --version --help' -- "$cur"))
}

complete -F _underhood underhood
complete -F _underhood_cli underhood-cli
complete -F _underhood_capture underhood-capture

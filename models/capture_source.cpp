#include "capture_source.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace underhood {
namespace {

constexpr const char* kFallbackMarker = "underhood-remote: no underhood-capture here, capturing with tcpdump";
constexpr const char* kRemotePrefix = "underhood-remote: ";

std::string percent_decode(std::string_view s)
{
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        auto hex = [](char c) -> int {
            if (c >= '0' && c <= '9')
                return c - '0';
            if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
            if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
            return -1;
        };
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out += char(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// HOST[:PORT] with HOST possibly a bracketed IPv6 address.
bool split_host_port(std::string_view hp, std::string& host, std::string& port, std::string& error)
{
    if (!hp.empty() && hp[0] == '[') {
        const size_t close = hp.find(']');
        if (close == std::string_view::npos) {
            error = "unclosed '[' in the address";
            return false;
        }
        host = std::string(hp.substr(1, close - 1));
        std::string_view rest = hp.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') {
                error = "expected ':PORT' after the address";
                return false;
            }
            port = std::string(rest.substr(1));
        }
    } else {
        const size_t colon = hp.rfind(':');
        if (colon != std::string_view::npos && hp.find(':') == colon) {
            host = std::string(hp.substr(0, colon));
            port = std::string(hp.substr(colon + 1));
        } else {
            host = std::string(hp); // no port, or a bare IPv6 address
        }
    }
    if (host.empty()) {
        error = "no host name";
        return false;
    }
    if (host[0] == '-' || host.find_first_of(" \t\n'\"\\/@") != std::string::npos) {
        error = "'" + host + "' is not a host name";
        return false;
    }
    if (!port.empty()) {
        char* end = nullptr;
        const unsigned long v = std::strtoul(port.c_str(), &end, 10);
        if (*end || v == 0 || v > 65535 || port[0] == '+' || port[0] == '-') {
            error = "'" + port + "' is not a port number";
            return false;
        }
    }
    return true;
}

bool valid_interface_name(const std::string& s)
{
    // What the kernel accepts (IFNAMSIZ, no '/' or blanks); nothing a shell would read.
    if (s.empty() || s.size() > 15 || s[0] == '-')
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
               c == '_' || c == '-' || c == ':' || c == '@';
    });
}

// "[-]SECONDS[.FRACTION]" to nanoseconds, within a day.
bool parse_offset(const std::string& s, int64_t& out)
{
    size_t i = 0;
    const bool neg = !s.empty() && (s[0] == '-' || s[0] == '+') ? (++i, s[0] == '-') : false;
    int64_t sec = 0, frac = 0, scale = 1000000000;
    bool digits = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, digits = true)
        if ((sec = sec * 10 + (s[i] - '0')) > 86400)
            return false;
    if (i < s.size() && s[i] == '.')
        for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, digits = true)
            if (scale > 1)
                frac += (s[i] - '0') * (scale /= 10);
    if (!digits || i != s.size())
        return false;
    out = (sec * 1000000000 + frac) * (neg ? -1 : 1);
    return true;
}

std::string shell_quote(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// Words of $UNDERHOOD_SSH: blanks separate, single and double quotes group,
// a backslash escapes the next character (outside single quotes).
std::vector<std::string> split_command(const std::string& s)
{
    std::vector<std::string> words;
    std::string w;
    bool in_word = false;
    char quote = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            else if (c == '\\' && quote == '"' && i + 1 < s.size())
                w += s[++i];
            else
                w += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == '\\' && i + 1 < s.size()) {
            w += s[++i];
            in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word)
                words.push_back(std::move(w));
            w.clear();
            in_word = false;
        } else {
            w += c;
            in_word = true;
        }
    }
    if (in_word)
        words.push_back(std::move(w));
    return words;
}

// The command the remote shell runs: the helper if it is there, else
// tcpdump, else a clear message. Everything variable is quoted for sh, and
// the whole runs under sh whatever the remote user's login shell is.
std::string remote_command(const SourceSpec& s, const SourceOptions& o)
{
    std::string helper_args = " -i " + shell_quote(s.interface);
    if (!s.filter.empty())
        helper_args += " -f " + shell_quote(s.filter);
    if (o.count)
        helper_args += " -c " + std::to_string(o.count);
    if (o.duration_s)
        helper_args += " -a duration:" + std::to_string(o.duration_s);
    helper_args += " -w -";
    std::string tcpdump_args = " -U -n -i " + shell_quote(s.interface) + " --time-stamp-precision=nano";
    if (o.count)
        tcpdump_args += " -c " + std::to_string(o.count);
    tcpdump_args += " -w -";
    if (!s.filter.empty())
        tcpdump_args += " " + shell_quote(s.filter);
    const std::string helpers =
        s.helper.empty() ? "underhood-capture /usr/lib/underhood/underhood-capture" : shell_quote(s.helper);
    // The capture runs in the background while `cat` waits for the end of
    // the session's input: when the reader closes it (or ssh goes away), the
    // capture gets SIGTERM and ends as it would at a terminal, with its final
    // statistics (the helper's blocks, tcpdump's report). Output of the
    // watcher goes nowhere, so it never holds the session open.
    const std::string script =
        "exec 3<&0; run() { \"$@\" </dev/null 3<&- & p=$!; "
        "{ cat <&3 >/dev/null 2>&1; kill -TERM $p 2>/dev/null; } >/dev/null 2>&1 & "
        "w=$!; exec 3<&-; wait $p; s=$?; kill $w 2>/dev/null; exit $s; }; "
        "for h in " + helpers +
        "; do case $h in */*) [ -x \"$h\" ] ;; *) command -v \"$h\" >/dev/null 2>&1 ;; esac && run \"$h\"" +
        helper_args + "; done; PATH=$PATH:/usr/sbin:/sbin; if command -v tcpdump >/dev/null 2>&1; then echo " +
        shell_quote(kFallbackMarker) + " >&2; run tcpdump" + tcpdump_args + "; fi; echo " +
        shell_quote(std::string(kRemotePrefix) + "error: neither underhood-capture nor tcpdump is installed on " +
                    s.host) +
        " >&2; exit 127";
    return "exec sh -c " + shell_quote(script);
}

std::optional<uint64_t> leading_number(const std::string& line, const char* suffix)
{
    const size_t pos = line.find(suffix);
    if (pos == std::string::npos || pos == 0)
        return std::nullopt;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(line.c_str(), &end, 10);
    if (end == line.c_str() || size_t(end - line.c_str()) > pos)
        return std::nullopt;
    return v;
}

} // namespace

std::string SourceSpec::sensor_name() const
{
    switch (kind) {
    case Kind::Ssh: return host + "/" + interface;
    case Kind::PcapOverIp: return host + ":" + port;
    case Kind::Interface: return interface;
    case Kind::File: break;
    }
    return path == "-" ? "stdin" : path;
}

bool parse_source(const std::string& text, bool interface, SourceSpec& out, std::string& error)
{
    out = SourceSpec{};
    out.text = text;
    auto fail = [&](const std::string& why) {
        error = text + ": " + why;
        return false;
    };
    if (text.rfind("ssh://", 0) == 0) {
        out.kind = SourceSpec::Kind::Ssh;
        std::string_view rest = std::string_view(text).substr(6);
        std::string_view query;
        if (const size_t q = rest.find('?'); q != std::string_view::npos) {
            query = rest.substr(q + 1);
            rest = rest.substr(0, q);
        }
        const size_t slash = rest.find('/');
        if (slash == std::string_view::npos)
            return fail("no interface: expected ssh://[USER@]HOST[:PORT]/IFACE");
        std::string_view authority = rest.substr(0, slash);
        out.interface = percent_decode(rest.substr(slash + 1));
        if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
            out.user = percent_decode(authority.substr(0, at));
            authority = authority.substr(at + 1);
            if (out.user.empty() || out.user[0] == '-' || out.user.find_first_of(" \t'\"\\/@") != std::string::npos)
                return fail("'" + out.user + "' is not a user name");
        }
        if (!split_host_port(authority, out.host, out.port, error))
            return fail(error);
        if (!valid_interface_name(out.interface))
            return fail("'" + out.interface + "' is not an interface name");
        // BPF uses '&' and '&&': a parameter starts only where a known name follows '&'.
        while (!query.empty()) {
            std::string_view key;
            for (const char* k : {"filter=", "helper=", "offset="})
                if (query.rfind(k, 0) == 0)
                    key = std::string_view(k, std::strlen(k) - 1);
            if (key.empty())
                return fail("unknown parameter '" + std::string(query.substr(0, query.find('='))) +
                            "' (expected filter=, helper= or offset=)");
            query = query.substr(key.size() + 1);
            size_t end = std::string_view::npos;
            for (const char* k : {"&filter=", "&helper=", "&offset="})
                end = std::min(end, query.find(k));
            const std::string value = percent_decode(query.substr(0, end));
            query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
            if (key == "offset") {
                if (!parse_offset(value, out.offset_ns))
                    return fail("offset= takes seconds, e.g. offset=-0.25");
            } else {
                (key == "filter" ? out.filter : out.helper) = value;
            }
        }
        return true;
    }
    if (text.rfind("pcap-over-ip://", 0) == 0) {
        out.kind = SourceSpec::Kind::PcapOverIp;
        std::string_view rest = std::string_view(text).substr(15);
        if (const size_t q = rest.find('?'); q != std::string_view::npos) {
            const std::string_view query = rest.substr(q + 1);
            rest = rest.substr(0, q);
            if (query.rfind("offset=", 0) != 0 || !parse_offset(percent_decode(query.substr(7)), out.offset_ns))
                return fail("the only parameter is offset=SECONDS");
        }
        if (!rest.empty() && rest.back() == '/')
            rest.remove_suffix(1);
        if (!split_host_port(rest, out.host, out.port, error))
            return fail(error);
        if (out.port.empty())
            out.port = kPcapOverIpDefaultPort;
        return true;
    }
    if (text.find("://") != std::string::npos && text.find('/') > text.find("://"))
        return fail("unknown kind of source (expected ssh:// or pcap-over-ip://)");
    if (interface) {
        out.kind = SourceSpec::Kind::Interface;
        out.interface = text;
        if (!valid_interface_name(text))
            return fail("not an interface name");
        return true;
    }
    out.kind = SourceSpec::Kind::File;
    out.path = text;
    return true;
}

CaptureSource::~CaptureSource()
{
    if (!finished_) {
        stop();
        finish();
    }
}

std::unique_ptr<CaptureSource> CaptureSource::open(const SourceSpec& spec, const SourceOptions& opts,
                                                   std::string& error)
{
    std::unique_ptr<CaptureSource> s(new CaptureSource);
    s->spec_ = spec;
    std::unique_ptr<CaptureInput> input;
    std::string why;
    switch (spec.kind) {
    case SourceSpec::Kind::File: {
        auto r = CaptureReader::open_path(spec.path, error);
        if (!r)
            return nullptr;
        s->reader_ = std::move(r);
        s->finished_ = true;
        return s;
    }
    case SourceSpec::Kind::PcapOverIp:
        if (!s->connect_tcp(why)) {
            error = spec.text + ": " + why;
            return nullptr;
        }
        input = std::make_unique<StreamInput>(s->sock_, true);
        break;
    case SourceSpec::Kind::Interface:
    case SourceSpec::Kind::Ssh: {
        std::vector<std::string> argv;
        if (spec.kind == SourceSpec::Kind::Interface) {
            argv = {opts.local_helper, "-i", spec.interface};
            if (!spec.filter.empty())
                argv.insert(argv.end(), {"-f", spec.filter});
            if (opts.count)
                argv.insert(argv.end(), {"-c", std::to_string(opts.count)});
            if (opts.duration_s)
                argv.insert(argv.end(), {"-a", "duration:" + std::to_string(opts.duration_s)});
            argv.insert(argv.end(), {"-w", "-"});
        } else {
            argv = opts.ssh_command;
            if (argv.empty()) {
                const char* env = std::getenv("UNDERHOOD_SSH");
                argv = split_command(env && *env ? env : "ssh");
            }
            if (argv.empty())
                argv = {"ssh"};
            // BatchMode: a missing key or an unknown host key fails at once
            // with ssh's own message instead of a prompt nobody sees. The
            // keep-alives notice a cut network within about 15 seconds, and
            // an unreachable host fails within 10 (not TCP's two minutes).
            argv.insert(argv.end(), {"-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o",
                                     "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"});
            if (!spec.port.empty())
                argv.insert(argv.end(), {"-p", spec.port});
            if (!spec.user.empty())
                argv.insert(argv.end(), {"-l", spec.user});
            argv.insert(argv.end(), {"--", spec.host, remote_command(spec, opts)});
        }
        s->ends_at_count_ = opts.count > 0;
        s->on_message_ = opts.on_message;
        if (!s->spawn(argv, spec.kind == SourceSpec::Kind::Ssh, why)) {
            error = spec.text + ": " + why;
            return nullptr;
        }
        break;
    }
    }
    if (!input)
        input = std::make_unique<StreamInput>(s->sock_ >= 0 ? s->sock_ : -1, true);
    // For a process, sock_ holds the read end of its standard output.
    std::string reader_error;
    s->reader_ = CaptureReader::open(std::move(input), spec.text, reader_error);
    if (!s->reader_) {
        // Nothing usable came: the process's own last words say why.
        s->sock_ = -1; // closed with the input
        const std::string ended = s->finish();
        std::string line = s->last_error_line();
        if (line.empty())
            line = !ended.empty() ? ended : reader_error;
        error = spec.text + ": " + line;
        return nullptr;
    }
    std::vector<std::string> so_far;
    {
        std::lock_guard lock(s->mutex_);
        s->opened_ = true;
        so_far = s->lines_;
    }
    if (s->on_message_)
        for (const std::string& l : so_far)
            s->on_message_(spec, l);
    return s;
}

bool CaptureSource::connect_tcp(std::string& error)
{
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = getaddrinfo(spec_.host.c_str(), spec_.port.c_str(), &hints, &res); rc != 0) {
        error = std::string("cannot resolve ") + spec_.host + ": " + gai_strerror(rc);
        return false;
    }
    std::string last = "no address";
    for (addrinfo* a = res; a; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            last = std::strerror(errno);
            continue;
        }
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            rc = ::poll(&p, 1, 10000);
            if (rc == 0) {
                errno = ETIMEDOUT;
                rc = -1;
            } else if (rc > 0) {
                int so = 0;
                socklen_t len = sizeof so;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
                errno = so;
                rc = so ? -1 : 0;
            }
        }
        if (rc == 0) {
            // The reader blocks in read(); shutdown() from stop() wakes it.
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            sock_ = fd;
            freeaddrinfo(res);
            return true;
        }
        last = std::string("cannot connect to ") + spec_.host + " port " + spec_.port + ": " + std::strerror(errno);
        ::close(fd);
    }
    freeaddrinfo(res);
    error = last;
    return false;
}

bool CaptureSource::spawn(const std::vector<std::string>& argv, bool with_input, std::string& error)
{
    int out[2], err[2], in[2] = {-1, -1};
    if (with_input && pipe2(in, O_CLOEXEC) != 0) {
        error = std::string("cannot create a pipe: ") + std::strerror(errno);
        return false;
    }
    if (pipe2(out, O_CLOEXEC) != 0) {
        error = std::string("cannot create a pipe: ") + std::strerror(errno);
        return false;
    }
    if (pipe2(err, O_CLOEXEC) != 0) {
        error = std::string("cannot create a pipe: ") + std::strerror(errno);
        ::close(out[0]);
        ::close(out[1]);
        return false;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (with_input)
        posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    else
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT})
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    // Its own process group: Ctrl-C at the terminal reaches us, and we end
    // the sources in order (a local helper then writes its final statistics).
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    std::vector<char*> args;
    for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, args[0], &fa, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(out[1]);
    ::close(err[1]);
    if (in[0] >= 0)
        ::close(in[0]);
    if (rc != 0) {
        ::close(out[0]);
        ::close(err[0]);
        if (in[1] >= 0)
            ::close(in[1]);
        pid_ = -1;
        error = "cannot run " + argv[0] + ": " + std::strerror(rc);
        return false;
    }
    sock_ = out[0];
    err_fd_ = err[0];
    in_fd_ = in[1];
    err_thread_ = std::thread([this] { read_stderr(); });
    return true;
}

void CaptureSource::read_stderr()
{
    std::string buf;
    char chunk[4096];
    for (;;) {
        pollfd p{err_fd_, POLLIN, 0};
        const int rc = ::poll(&p, 1, 200);
        if (rc < 0 && errno != EINTR)
            break;
        if (rc <= 0) {
            // A grandchild (an ssh ProxyCommand) may hold the pipe open after
            // the process ended: stop listening once it was reaped.
            if (err_done_)
                break;
            continue;
        }
        const ssize_t n = ::read(err_fd_, chunk, sizeof chunk);
        if (n <= 0)
            break;
        buf.append(chunk, size_t(n));
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
            std::string line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
                line.pop_back();
            if (line.empty())
                continue;
            bool forward;
            {
                std::lock_guard lock(mutex_);
                forward = opened_;
                if (lines_.size() < 1000)
                    lines_.push_back(line);
            }
            // Until the capture runs, its lines make up the one-line error if it fails.
            if (forward && on_message_)
                on_message_(spec_, line);
        }
    }
    if (!buf.empty()) {
        std::lock_guard lock(mutex_);
        lines_.push_back(buf);
    }
    ::close(err_fd_);
    err_fd_ = -1;
}

void CaptureSource::stop()
{
    if (stopped_.exchange(true))
        return;
    if (const int fd = in_fd_.exchange(-1); fd >= 0)
        ::close(fd);
    else if (pid_ > 0 && !finished_)
        ::kill(pid_, SIGTERM);
    else if (spec_.kind == SourceSpec::Kind::PcapOverIp && sock_ >= 0)
        ::shutdown(sock_, SHUT_RDWR);
}

std::string CaptureSource::finish()
{
    if (finished_)
        return {};
    finished_ = true;
    std::string why;
    if (pid_ > 0) {
        // The process ends once its output is closed or it was told to; a
        // bounded wait, then it is ended for good.
        int status = 0;
        for (int i = 0;; ++i) {
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_ || (r < 0 && errno != EINTR))
                break;
            if (i == 50) { // 5 s
                if (const int fd = in_fd_.exchange(-1); fd >= 0)
                    ::close(fd);
                ::kill(pid_, SIGTERM);
            }
            if (i == 80) {
                ::kill(pid_, SIGKILL);
                why = "did not end when asked and was killed";
            }
            if (i > 120)
                break;
            ::usleep(100000);
        }
        exit_status_ = status;
        if (const int fd = in_fd_.exchange(-1); fd >= 0)
            ::close(fd);
        err_done_ = true;
        if (err_thread_.joinable())
            err_thread_.join();
        pid_ = -1;
        if (why.empty() && !stopped_) {
            if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
                why = last_error_line();
                const int code = WEXITSTATUS(status);
                // The remote shell's status for a capture killed by a signal (its
                // own line says only "Killed").
                if (code > 128 && code < 128 + 65 && spec_.kind == SourceSpec::Kind::Ssh)
                    why = "the capture on " + spec_.host + " was ended by signal " + std::to_string(code - 128) +
                          " (" + strsignal(code - 128) + ")";
                else if (why.empty())
                    why = "exited with status " + std::to_string(code);
            } else if (WIFSIGNALED(status)) {
                why = std::string("ended by signal ") + strsignal(WTERMSIG(status));
            }
        }
    }
    if (why.empty() && !stopped_ && reader_ && !reader_->input().error().empty())
        why = reader_->input().error();
    return why;
}

std::vector<std::string> CaptureSource::messages() const
{
    std::lock_guard lock(mutex_);
    return lines_;
}

std::string CaptureSource::last_error_line() const
{
    std::lock_guard lock(mutex_);
    for (auto it = lines_.rbegin(); it != lines_.rend(); ++it) {
        std::string l = *it;
        if (l == kFallbackMarker)
            continue;
        for (const char* prefix : {"underhood-capture: error: ", "underhood-remote: error: "})
            if (l.rfind(prefix, 0) == 0)
                return l.substr(std::strlen(prefix));
        // The helper's and tcpdump's informational lines are not errors.
        if (l.rfind("underhood-capture: ", 0) == 0 || l.find(" packets ") != std::string::npos ||
            l.rfind("tcpdump: listening on", 0) == 0 || l.rfind("Warning: Permanently added", 0) == 0)
            continue;
        return l;
    }
    return {};
}

bool CaptureSource::tcpdump_fallback() const
{
    std::lock_guard lock(mutex_);
    return std::find(lines_.begin(), lines_.end(), kFallbackMarker) != lines_.end();
}

std::optional<TcpdumpReport> CaptureSource::tcpdump_report() const
{
    if (!tcpdump_fallback())
        return std::nullopt;
    TcpdumpReport r;
    std::lock_guard lock(mutex_);
    for (const std::string& l : lines_) {
        if (auto v = leading_number(l, " packets captured"))
            r.captured = v;
        else if (auto v2 = leading_number(l, " packets received by filter"))
            r.received = v2;
        else if (auto v3 = leading_number(l, " packets dropped by kernel"))
            r.dropped_by_kernel = v3;
        else if (auto v4 = leading_number(l, " packets dropped by interface"))
            r.dropped_by_interface = v4;
    }
    return r;
}

SensorCounts CaptureSource::counts(uint64_t packets, uint64_t bytes) const
{
    SensorCounts c;
    c.packets = packets;
    c.bytes = bytes;
    if (auto t = tcpdump_report()) {
        c.exact = false;
        c.ifrecv = t->received;
        c.osdrop = t->dropped_by_kernel;
        c.ifdrop = t->dropped_by_interface;
        c.final = t->captured.has_value();
        return c;
    }
    if (!reader_)
        return c;
    // The latest block per interface, summed over interfaces.
    std::vector<const InterfaceStatistics*> latest;
    for (const InterfaceStatistics& st : reader_->statistics()) {
        if (latest.size() <= st.interface_id)
            latest.resize(st.interface_id + 1, nullptr);
        latest[st.interface_id] = &st;
    }
    auto add = [](std::optional<uint64_t>& to, const std::optional<uint64_t>& v) {
        if (v)
            to = to.value_or(0) + *v;
    };
    for (const InterfaceStatistics* st : latest) {
        if (!st)
            continue;
        add(c.ifrecv, st->ifrecv);
        add(c.osdrop, st->osdrop);
        add(c.ifdrop, st->ifdrop);
        if (st->filteraccept && st->usrdeliv)
            add(c.helper_drops, *st->filteraccept - std::min(*st->filteraccept, *st->usrdeliv));
    }
    c.final = !latest.empty() && reader_->warnings().end() ==
                                     std::find(reader_->warnings().begin(), reader_->warnings().end(),
                                               std::string(kFinalStatisticsMissing));
    return c;
}

// ---------------------------------------------------------------------------

SourceMerger::SourceMerger(std::vector<std::unique_ptr<CaptureSource>> sources, bool threaded) : threaded_(threaded)
{
    for (auto& s : sources) {
        auto f = std::make_unique<Feed>();
        f->offset_ns = s->spec().offset_ns;
        f->source = std::move(s);
        sources_.push_back(std::move(f));
    }
}

void SourceMerger::start_thread(Feed& f)
{
    f.thread = std::thread([this, feed = &f] { read_loop(*feed); });
}

void SourceMerger::start_threads()
{
    std::lock_guard lock(mutex_);
    if (started_ || (sources_.size() < 2 && !threaded_))
        return;
    started_ = true;
    for (auto& f : sources_)
        start_thread(*f);
}

size_t SourceMerger::add(std::unique_ptr<CaptureSource> source)
{
    if (!threaded_)
        return SIZE_MAX; // the one-source path reads on the caller's thread
    auto f = std::make_unique<Feed>();
    f->offset_ns = source->spec().offset_ns;
    f->source = std::move(source);
    std::lock_guard lock(mutex_);
    sources_.push_back(std::move(f));
    if (started_)
        start_thread(*sources_.back());
    cv_.notify_all();
    return sources_.size() - 1;
}

bool SourceMerger::replace(size_t i, std::unique_ptr<CaptureSource> source)
{
    Feed* f = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (!threaded_ || !started_ || i >= sources_.size() || !sources_[i]->ended || !sources_[i]->finished)
            return false;
        f = sources_[i].get();
    }
    if (f->thread.joinable())
        f->thread.join();
    std::unique_ptr<CaptureSource> old;
    {
        std::lock_guard lock(mutex_);
        f->before = f->counts;
        for (uint32_t id : f->global_id)
            if (auto it = last_stats_.find(id); it != last_stats_.end())
                f->stats_before[id] = it->second;
        old = std::move(f->source);
        f->source = std::move(source);
        f->ended = false;
        f->finished = false;
        f->error.clear();
        start_thread(*f);
    }
    cv_.notify_all();
    return true;
}

void SourceMerger::set_offset(size_t i, int64_t offset_ns)
{
    std::lock_guard lock(mutex_);
    if (i < sources_.size())
        sources_[i]->offset_ns = offset_ns;
}

int64_t SourceMerger::offset(size_t i) const
{
    std::lock_guard lock(mutex_);
    return i < sources_.size() ? sources_[i]->offset_ns.load() : 0;
}

bool SourceMerger::ended(size_t i) const
{
    std::lock_guard lock(mutex_);
    return i < sources_.size() && sources_[i]->ended;
}

SensorCounts SourceMerger::with_before(const Feed& f, SensorCounts c) const
{
    auto plus = [](std::optional<uint64_t>& x, const std::optional<uint64_t>& b) {
        if (b)
            x = x.value_or(0) + *b;
    };
    plus(c.ifrecv, f.before.ifrecv);
    plus(c.osdrop, f.before.osdrop);
    plus(c.ifdrop, f.before.ifdrop);
    plus(c.helper_drops, f.before.helper_drops);
    c.exact = c.exact && f.before.exact;
    return c;
}

SourceMerger::~SourceMerger()
{
    stop_all();
    {
        std::lock_guard lock(mutex_);
        for (auto& f : sources_)
            f->queue.clear();
    }
    cv_.notify_all();
    for (auto& f : sources_)
        if (f->thread.joinable())
            f->thread.join();
    for (auto& f : sources_)
        finish_source(*f);
}

void SourceMerger::stop_all()
{
    std::lock_guard lock(mutex_); // a source may be added meanwhile
    for (auto& f : sources_)
        f->source->stop();
}

std::vector<CaptureInterface> SourceMerger::interfaces_from(size_t from) const
{
    std::lock_guard lock(mutex_);
    return from < interfaces_.size() ? std::vector<CaptureInterface>(interfaces_.begin() + ptrdiff_t(from), interfaces_.end())
                                     : std::vector<CaptureInterface>();
}

uint32_t SourceMerger::global_interface(Feed& f, uint32_t local)
{
    // Called with mutex_ held (or with one source, on the only thread).
    const auto& itfs = f.source->reader().interfaces();
    while (f.global_id.size() < itfs.size()) {
        CaptureInterface itf = itfs[f.global_id.size()];
        const SourceSpec& spec = f.source->spec();
        if (spec.kind == SourceSpec::Kind::Ssh)
            itf.name = spec.host + "/" + (itf.name.empty() ? spec.interface : itf.name);
        else if (itf.name.empty())
            itf.name = spec.sensor_name();
        f.global_id.push_back(uint32_t(interfaces_.size()));
        interfaces_.push_back(std::move(itf));
    }
    return local < f.global_id.size() ? f.global_id[local] : 0;
}

void SourceMerger::finish_source(Feed& f)
{
    {
        std::lock_guard lock(mutex_);
        if (f.finished)
            return;
    }
    std::string why = f.source->finish();
    SensorCounts c = with_before(f, f.source->counts(f.packets, f.bytes));
    c.first_ns = f.first_ns;
    if (!why.empty() && on_failure)
        on_failure(f.source->spec(), why);
    std::lock_guard lock(mutex_);
    f.error = why;
    f.counts = c;
    f.finished = true;
}

void SourceMerger::read_loop(Feed& f)
{
    CaptureReader& r = f.source->reader();
    r.set_report_statistics(report_statistics_);
    PacketRecord rec;
    size_t stats_seen = 0;
    for (;;) {
        const CaptureReader::Status st = r.next(rec);
        if (st == CaptureReader::Status::Statistics) {
            InterfaceStatistics is = r.statistics().back();
            std::lock_guard lock(mutex_);
            is.interface_id = global_interface(f, is.interface_id);
            if (auto b = f.stats_before.find(is.interface_id); b != f.stats_before.end()) {
                // A reconnected sensor: its new helper counts from zero again.
                auto plus = [](std::optional<uint64_t>& x, const std::optional<uint64_t>& v) {
                    if (v)
                        x = x.value_or(0) + *v;
                };
                plus(is.ifrecv, b->second.ifrecv);
                plus(is.ifdrop, b->second.ifdrop);
                plus(is.filteraccept, b->second.filteraccept);
                plus(is.osdrop, b->second.osdrop);
                plus(is.usrdeliv, b->second.usrdeliv);
                if (b->second.start_ns)
                    is.start_ns = b->second.start_ns;
            }
            last_stats_[is.interface_id] = is;
            f.counts = with_before(f, f.source->counts(f.packets, f.bytes));
            stats_seen = r.statistics().size();
            if (stats_.size() < kQueueLimit)
                stats_.push_back(std::move(is));
            cv_.notify_all();
            continue;
        }
        if (st != CaptureReader::Status::Packet) {
            finish_source(f);
            std::lock_guard lock(mutex_);
            // tcpdump's final report stands in for the helper's statistics block.
            if (report_statistics_ && f.counts.final && !f.counts.exact && !f.global_id.empty()) {
                InterfaceStatistics is;
                is.interface_id = f.global_id[0];
                is.ts_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
                is.ifrecv = f.counts.ifrecv;
                is.osdrop = f.counts.osdrop;
                is.ifdrop = f.counts.ifdrop;
                if (is.ifrecv && is.osdrop)
                    is.filteraccept = *is.ifrecv - std::min(*is.ifrecv, *is.osdrop);
                is.usrdeliv = f.packets;
                last_stats_[is.interface_id] = is;
                stats_.push_back(std::move(is));
            }
            f.ended = true;
            cv_.notify_all();
            return;
        }
        Held h;
        h.rec = rec;
        h.data.assign(rec.data.begin(), rec.data.end());
        h.comment = std::string(rec.comment);
        h.rec.data = {};
        h.rec.comment = {};
        h.rec.ts_ns += f.offset_ns.load(std::memory_order_relaxed);
        h.arrived = std::chrono::steady_clock::now();
        std::unique_lock lock(mutex_);
        h.rec.interface_id = global_interface(f, rec.interface_id);
        if (!f.first_ns)
            f.first_ns = h.rec.ts_ns;
        ++f.packets;
        f.bytes += rec.origlen;
        if (r.statistics().size() != stats_seen) {
            stats_seen = r.statistics().size();
            f.counts = with_before(f, f.source->counts(f.packets, f.bytes));
        }
        cv_.wait(lock, [&] { return f.queue.size() < kQueueLimit || f.source->stopped(); });
        if (f.source->stopped() && f.queue.size() >= kQueueLimit)
            continue; // nobody takes them any more; read on to the end
        f.queue.push_back(std::move(h));
        cv_.notify_all();
    }
}

size_t SourceMerger::queued() const
{
    std::lock_guard lock(mutex_);
    size_t n = stats_.size();
    for (const auto& f : sources_)
        n += f->queue.size();
    return n;
}

CaptureReader::Status SourceMerger::next(PacketRecord& out)
{
    if (sources_.size() == 1 && !threaded_) {
        Feed& f = *sources_[0];
        const CaptureReader::Status st = f.source->reader().next(out);
        if (st == CaptureReader::Status::Packet) {
            out.interface_id = global_interface(f, out.interface_id);
            out.ts_ns += f.offset_ns.load(std::memory_order_relaxed);
            if (!f.first_ns)
                f.first_ns = out.ts_ns;
            ++f.packets;
            f.bytes += out.origlen;
        } else if (st != CaptureReader::Status::Statistics) {
            finish_source(f);
        }
        return st;
    }
    start_threads();
    std::unique_lock lock(mutex_);
    for (;;) {
        if (!stats_.empty()) {
            current_stats_ = std::move(stats_.front());
            stats_.pop_front();
            return CaptureReader::Status::Statistics;
        }
        Feed* best = nullptr;
        bool all_ready = true;
        for (auto& f : sources_) {
            if (f->queue.empty()) {
                if (!f->ended)
                    all_ready = false;
                continue;
            }
            if (!best || f->queue.front().rec.ts_ns < best->queue.front().rec.ts_ns)
                best = f.get();
        }
        if (!best && all_ready)
            return CaptureReader::Status::End;
        const auto now = std::chrono::steady_clock::now();
        if (best && (all_ready || now - best->queue.front().arrived >= hold_back)) {
            current_ = std::move(best->queue.front());
            best->queue.pop_front();
            cv_.notify_all();
            out = current_.rec;
            out.number = ++number_;
            out.data = Bytes(current_.data.data(), current_.data.size());
            out.comment = current_.comment;
            return CaptureReader::Status::Packet;
        }
        if (best)
            cv_.wait_until(lock, best->queue.front().arrived + hold_back);
        else
            cv_.wait(lock);
    }
}

SensorCounts SourceMerger::counts(size_t i) const
{
    std::lock_guard lock(mutex_);
    const Feed& f = *sources_[i];
    if (f.finished)
        return f.counts;
    SensorCounts c = sources_.size() == 1 && !threaded_ ? f.source->counts(f.packets, f.bytes) : f.counts;
    c.packets = f.packets;
    c.bytes = f.bytes;
    c.first_ns = f.first_ns;
    return c;
}

std::vector<std::string> SourceMerger::warnings() const
{
    std::vector<std::string> out;
    for (const auto& f : sources_) {
        for (const std::string& w : f->source->reader().warnings())
            out.push_back(sources_.size() > 1 ? f->source->spec().sensor_name() + ": " + w : w);
        if (f->source->tcpdump_fallback())
            out.push_back(f->source->spec().sensor_name() +
                          ": no underhood-capture there, captured with tcpdump: drop counts come from its final "
                          "report and are less exact");
    }
    return out;
}

} // namespace underhood

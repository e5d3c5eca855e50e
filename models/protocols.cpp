#include "protocols.h"

namespace underhood {

std::string_view proto_name(Proto p)
{
    switch (p) {
    case Proto::None: return "none";
    case Proto::Eth: return "eth";
    case Proto::Vlan: return "vlan";
    case Proto::Mpls: return "mpls";
    case Proto::Sll: return "sll";
    case Proto::Sll2: return "sll2";
    case Proto::Null: return "null";
    case Proto::Loop: return "loop";
    case Proto::Radiotap: return "radiotap";
    case Proto::Wlan: return "wlan";
    case Proto::Llc: return "llc";
    case Proto::Ppp: return "ppp";
    case Proto::Pppoe: return "pppoe";
    case Proto::Stp: return "stp";
    case Proto::Lldp: return "lldp";
    case Proto::Cdp: return "cdp";
    case Proto::Arp: return "arp";
    case Proto::Ipv4: return "ipv4";
    case Proto::Ipv6: return "ipv6";
    case Proto::Icmp: return "icmp";
    case Proto::Icmpv6: return "icmpv6";
    case Proto::Igmp: return "igmp";
    case Proto::Gre: return "gre";
    case Proto::Esp: return "esp";
    case Proto::Ah: return "ah";
    case Proto::Ospf: return "ospf";
    case Proto::Pim: return "pim";
    case Proto::Vrrp: return "vrrp";
    case Proto::Sctp: return "sctp";
    case Proto::Tcp: return "tcp";
    case Proto::Udp: return "udp";
    case Proto::Dns: return "dns";
    case Proto::Mdns: return "mdns";
    case Proto::Llmnr: return "llmnr";
    case Proto::Dhcp: return "dhcp";
    case Proto::Dhcpv6: return "dhcpv6";
    case Proto::Ntp: return "ntp";
    case Proto::Http: return "http";
    case Proto::Tls: return "tls";
    case Proto::Quic: return "quic";
    case Proto::Ssh: return "ssh";
    case Proto::Nbns: return "nbns";
    case Proto::Ssdp: return "ssdp";
    case Proto::Snmp: return "snmp";
    case Proto::Syslog: return "syslog";
    case Proto::Ftp: return "ftp";
    case Proto::Telnet: return "telnet";
    case Proto::Smtp: return "smtp";
    case Proto::Pop3: return "pop3";
    case Proto::Imap: return "imap";
    case Proto::Ldap: return "ldap";
    case Proto::Smb: return "smb";
    case Proto::Rdp: return "rdp";
    case Proto::Bgp: return "bgp";
    case Proto::Rtsp: return "rtsp";
    case Proto::Sip: return "sip";
    case Proto::Mysql: return "mysql";
    case Proto::Pgsql: return "pgsql";
    case Proto::Tftp: return "tftp";
    case Proto::Radius: return "radius";
    case Proto::Bootp6x: return "dhcpfailover";
    case Proto::Vxlan: return "vxlan";
    case Proto::Geneve: return "geneve";
    case Proto::Openvpn: return "openvpn";
    case Proto::Wireguard: return "wireguard";
    case Proto::Ipp: return "ipp";
    case Proto::Mqtt: return "mqtt";
    case Proto::Rsync: return "rsync";
    case Proto::Redis: return "redis";
    case Proto::Kerberos: return "kerberos";
    case Proto::Netbios: return "netbios";
    case Proto::Isakmp: return "isakmp";
    case Proto::Rip: return "rip";
    case Proto::Data: return "data";
    case Proto::Count: break;
    }
    return "unknown";
}

Proto proto_for_port(uint16_t port, bool tcp)
{
    switch (port) {
    case 20:
    case 21: return tcp ? Proto::Ftp : Proto::None;
    case 22: return tcp ? Proto::Ssh : Proto::None;
    case 23: return tcp ? Proto::Telnet : Proto::None;
    case 25:
    case 465:
    case 587: return tcp ? Proto::Smtp : Proto::None;
    case 53: return Proto::Dns;
    case 67:
    case 68: return tcp ? Proto::None : Proto::Dhcp;
    case 69: return tcp ? Proto::None : Proto::Tftp;
    case 80:
    case 8080: return tcp ? Proto::Http : Proto::None;
    case 88: return Proto::Kerberos;
    case 110:
    case 995: return tcp ? Proto::Pop3 : Proto::None;
    case 123: return tcp ? Proto::None : Proto::Ntp;
    case 137: return tcp ? Proto::None : Proto::Nbns;
    case 138:
    case 139: return Proto::Netbios;
    case 143:
    case 993: return tcp ? Proto::Imap : Proto::None;
    case 161:
    case 162: return tcp ? Proto::None : Proto::Snmp;
    case 179: return tcp ? Proto::Bgp : Proto::None;
    case 389:
    case 636: return Proto::Ldap;
    case 443:
    case 8443: return tcp ? Proto::Tls : Proto::Quic;
    case 445: return tcp ? Proto::Smb : Proto::None;
    case 500:
    case 4500: return tcp ? Proto::None : Proto::Isakmp;
    case 514: return tcp ? Proto::None : Proto::Syslog;
    case 520: return tcp ? Proto::None : Proto::Rip;
    case 546:
    case 547: return tcp ? Proto::None : Proto::Dhcpv6;
    case 554: return Proto::Rtsp;
    case 631: return Proto::Ipp;
    case 873: return tcp ? Proto::Rsync : Proto::None;
    case 1194: return Proto::Openvpn;
    case 1812:
    case 1813: return tcp ? Proto::None : Proto::Radius;
    case 1883: return tcp ? Proto::Mqtt : Proto::None;
    case 1900: return tcp ? Proto::None : Proto::Ssdp;
    case 3306: return tcp ? Proto::Mysql : Proto::None;
    case 3389: return Proto::Rdp;
    case 4789: return tcp ? Proto::None : Proto::Vxlan;
    case 5060:
    case 5061: return Proto::Sip;
    case 5353: return tcp ? Proto::None : Proto::Mdns;
    case 5355: return Proto::Llmnr;
    case 5432: return tcp ? Proto::Pgsql : Proto::None;
    case 6379: return tcp ? Proto::Redis : Proto::None;
    case 51820: return tcp ? Proto::None : Proto::Wireguard;
    default: return Proto::None;
    }
}

} // namespace underhood

// Protocol identifiers used in protocol paths ("eth:ipv4:tcp:tls").
#pragma once

#include <cstdint>
#include <string_view>

namespace underhood {

enum class Proto : uint8_t {
    None = 0,
    // link
    Eth, Vlan, Mpls, Sll, Sll2, Null, Loop, Radiotap, Wlan, Llc, Ppp, Pppoe, Stp, Lldp, Cdp,
    // network
    Arp, Ipv4, Ipv6, Icmp, Icmpv6, Igmp, Gre, Esp, Ah, Ospf, Pim, Vrrp, Sctp, Tcp, Udp,
    // application (decoded)
    Dns, Mdns, Llmnr, Dhcp, Dhcpv6, Ntp, Http, Tls, Quic, Ssh, Nbns, Ssdp, Snmp, Syslog,
    // application (by well-known port only)
    Ftp, Telnet, Smtp, Pop3, Imap, Ldap, Smb, Rdp, Bgp, Rtsp, Sip, Mysql, Pgsql, Tftp, Radius, Bootp6x, Vxlan,
    Openvpn, Wireguard, Ipp, Mqtt, Rsync, Redis, Kerberos, Netbios, Isakmp, Rip, Geneve,
    Data, // payload we do not recognise
    Count
};

std::string_view proto_name(Proto p);

// Service by well-known port (TCP or UDP as given), Proto::None when unknown.
Proto proto_for_port(uint16_t port, bool tcp);

} // namespace underhood

// Every protocol of the engine, in the order their registrations must run:
// fields first (frame), then link layers, then what they hand on to.
// Heuristics run in the order they are registered.
namespace underhood::dissect {

void register_frame();
void register_link_types();
void register_ethernet();
void register_l2ctl();
void register_ppp();
void register_wlan();
void register_arp();
void register_ip();
void register_icmp();
void register_routing();
void register_sctp();
void register_transport();
void register_tunnels();
void register_nhrp();
void register_app();
void register_http();
void register_tls();
void register_dns();
void register_dhcp();

void register_all()
{
    register_frame();
    register_link_types();
    register_ethernet();
    register_l2ctl();
    register_ppp();
    register_wlan();
    register_arp();
    register_ip();
    register_icmp();
    register_routing();
    register_sctp();
    register_transport();
    register_tunnels(); // VXLAN's port comes before the QUIC heuristic
    register_nhrp();
    register_app();
    register_http();
    register_tls();
    register_dns();  // ports 53, 5353, 5355
    register_dhcp(); // ports 67, 68
}

} // namespace underhood::dissect

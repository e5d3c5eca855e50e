// Link-layer types (LINKTYPE_* values as they appear in capture files) and
// EtherTypes the decoder and the dissector both follow.
#pragma once

#include <cstdint>

namespace underhood::wire {

enum : uint32_t {
    kLinkNull = 0,
    kLinkEthernet = 1,
    kLinkPpp = 9,
    kLinkRawOpenBsd = 12,
    kLinkRawBsdOs = 14,
    kLinkPppHdlc = 50,
    kLinkPppEther = 51,
    kLinkRaw = 101,
    kLinkCiscoHdlc = 104,
    kLinkIeee80211 = 105,
    kLinkLoop = 108,
    kLinkSll = 113,
    kLinkRadiotap = 127,
    kLinkIpv4 = 228,
    kLinkIpv6 = 229,
    kLinkSll2 = 276,
};

enum : uint16_t {
    kEtherIpv4 = 0x0800,
    kEtherArp = 0x0806,
    kEtherTeb = 0x6558, // transparent Ethernet bridging (GRE, NVGRE)
    kEtherVlan = 0x8100,
    kEtherIpv6 = 0x86DD,
    kEtherPppDisc = 0x8863,
    kEtherPppSess = 0x8864,
    kEtherMpls = 0x8847,
    kEtherMplsMc = 0x8848,
    kEtherQinQ = 0x88A8,
    kEtherErspan2 = 0x88BE,
    kEtherLldp = 0x88CC,
    kEtherErspan3 = 0x22EB,
    kEtherQinQOld = 0x9100,
    kEtherPpp = 0x880B,
    kEtherMacsec = 0x88E5,
    kEtherNsh = 0x894F,
    kEtherArista = 0xD28B, // Arista vendor-specific (AVSP) timestamp header
    kEtherWccp = 0x883E, // WCCP redirection in GRE
    kEtherCiscoMetadata = 0x8909,
};

} // namespace underhood::wire

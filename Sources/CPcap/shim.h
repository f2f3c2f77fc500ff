#ifndef LANSCOPE_CPCAP_SHIM_H
#define LANSCOPE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif

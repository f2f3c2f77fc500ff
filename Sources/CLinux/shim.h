#ifndef LANSCOPE_CLINUX_SHIM_H
#define LANSCOPE_CLINUX_SHIM_H
// Linux and glibc interfaces Swift's Glibc module does not export.
#include <sys/epoll.h>   // HTTP transport event loop
#include <sys/eventfd.h> // waking the event loop
#include <malloc.h>      // mallopt: allocator settings for a long-running service
#include <sys/file.h>    // flock: one lanscope per interface
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

/// The interface's flags (IFF_UP, IFF_RUNNING...) via SIOCGIFFLAGS, or -1 when it does not exist.
/// A macro-based ioctl, wrapped because Swift cannot call variadic ioctl with a struct ifreq.
static inline int ls_interface_flags(const char *name) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    int rc = ioctl(fd, SIOCGIFFLAGS, &request);
    close(fd);
    return rc < 0 ? -1 : (int)(unsigned short)request.ifr_flags;
}

static inline int ls_flag_up(void) { return IFF_UP; }
static inline int ls_flag_running(void) { return IFF_RUNNING; }
#endif

#include "link_flags.h"
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int ls_link_flags(const char *name) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    int rc = ioctl(fd, SIOCGIFFLAGS, &request);
    close(fd);
    return rc < 0 ? -1 : (int)(unsigned short)request.ifr_flags;
}

int ls_link_flag_up(void) { return IFF_UP; }
int ls_link_flag_running(void) { return IFF_RUNNING; }

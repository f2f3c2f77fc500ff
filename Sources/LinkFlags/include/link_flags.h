#ifndef LANSCOPE_LINK_FLAGS_H
#define LANSCOPE_LINK_FLAGS_H
// An interface's flags through SIOCGIFFLAGS. A C target of its own: ioctl is variadic (Swift cannot
// call it) and the system headers stay in the .c file, out of every Swift module's view.

/// The interface's flags, or -1 when it does not exist (or the query failed).
int ls_link_flags(const char *name);
/// IFF_UP and IFF_RUNNING (carrier), from <net/if.h>.
int ls_link_flag_up(void);
int ls_link_flag_running(void);
#endif

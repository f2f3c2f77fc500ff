/* CLibBPF: libbpf for Swift. Plain functions wrapping the libbpf APIs Swift cannot call directly:
 * options structs built with LIBBPF_OPTS (sized, zeroed) and the variadic print callback. */
#ifndef LANSCOPE_CLIBBPF_SHIM_H
#define LANSCOPE_CLIBBPF_SHIM_H
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/if_link.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef void (*ls_print_sink_fn)(int level, const char *message);

static inline ls_print_sink_fn *ls_print_sink_slot(void)
{
    static ls_print_sink_fn sink;
    return &sink;
}

static inline int ls_print_trampoline(enum libbpf_print_level level, const char *format, va_list args)
{
    ls_print_sink_fn sink = *ls_print_sink_slot();
    if (!sink)
        return 0;
    char buffer[1024];
    int written = vsnprintf(buffer, sizeof(buffer), format, args);
    sink((int)level, buffer);
    return written;
}

/* Routes libbpf's messages to `sink` (NULL silences them). */
static inline void ls_set_print_sink(ls_print_sink_fn sink)
{
    *ls_print_sink_slot() = sink;
    libbpf_set_print(ls_print_trampoline);
}

static inline struct bpf_object *ls_object_open_mem(const void *buffer, size_t size, const char *name)
{
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);
    return bpf_object__open_mem(buffer, size, &opts);
}

/* The XDP program attached to ifindex (0 when none) and its mode (XDP_ATTACHED_*). */
static inline int ls_xdp_query(int ifindex, __u32 *prog_id, __u8 *attach_mode)
{
    LIBBPF_OPTS(bpf_xdp_query_opts, opts);
    int err = bpf_xdp_query(ifindex, 0, &opts);
    if (err)
        return err;
    *attach_mode = opts.attach_mode;
    switch (opts.attach_mode) {
    case XDP_ATTACHED_DRV: *prog_id = opts.drv_prog_id; break;
    case XDP_ATTACHED_SKB: *prog_id = opts.skb_prog_id; break;
    case XDP_ATTACHED_HW: *prog_id = opts.hw_prog_id; break;
    default: *prog_id = opts.prog_id; break;
    }
    return 0;
}

static inline int ls_xdp_attach(int ifindex, int prog_fd, __u32 flags)
{
    return bpf_xdp_attach(ifindex, prog_fd, flags, NULL);
}

static inline int ls_xdp_detach(int ifindex, __u32 flags)
{
    return bpf_xdp_detach(ifindex, flags, NULL);
}

/* Name of a loaded program by id, into buffer (at least 16 bytes). */
static inline int ls_prog_name_by_id(__u32 prog_id, char *buffer, size_t size)
{
    int fd = bpf_prog_get_fd_by_id(prog_id);
    if (fd < 0)
        return fd;
    struct bpf_prog_info info;
    memset(&info, 0, sizeof(info));
    __u32 length = sizeof(info);
    int err = bpf_obj_get_info_by_fd(fd, &info, &length);
    close(fd);
    if (err)
        return err;
    snprintf(buffer, size, "%s", info.name);
    return 0;
}

/* Creates the clsact qdisc. Returns 0 when created, -EEXIST when it was already there. */
static inline int ls_tc_hook_create(int ifindex)
{
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
    return bpf_tc_hook_create(&hook);
}

/* Deletes the whole clsact qdisc (both directions). */
static inline int ls_tc_hook_destroy(int ifindex)
{
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
    return bpf_tc_hook_destroy(&hook);
}

static inline int ls_tc_attach_egress(int ifindex, int prog_fd, __u32 handle, __u32 priority)
{
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
    LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = priority, .prog_fd = prog_fd,
                .flags = BPF_TC_F_REPLACE);
    return bpf_tc_attach(&hook, &opts);
}

static inline int ls_tc_detach_egress(int ifindex, __u32 handle, __u32 priority)
{
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
    LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = priority);
    return bpf_tc_detach(&hook, &opts);
}

/* Id of the program in our egress filter slot; -ENOENT when the slot is empty. */
static inline int ls_tc_query_egress(int ifindex, __u32 handle, __u32 priority, __u32 *prog_id)
{
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
    LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = priority);
    int err = bpf_tc_query(&hook, &opts);
    if (err)
        return err;
    *prog_id = opts.prog_id;
    return 0;
}

/* The kernel's run-time accounting of a program (counted while BPF_STATS_RUN_TIME is enabled). */
static inline int ls_prog_run_stats(int prog_fd, __u64 *run_count, __u64 *run_time_ns)
{
    struct bpf_prog_info info;
    __u32 length = sizeof(info);
    memset(&info, 0, sizeof(info));
    int err = bpf_obj_get_info_by_fd(prog_fd, &info, &length);
    if (err)
        return err;
    *run_count = info.run_cnt;
    *run_time_ns = info.run_time_ns;
    return 0;
}

static inline int ls_prog_test_run(int prog_fd, const void *data, __u32 size, __u32 repeat, __u32 *retval,
                                   __u32 *duration)
{
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = size, .repeat = repeat);
    int err = bpf_prog_test_run_opts(prog_fd, &opts);
    if (err)
        return err;
    *retval = opts.retval;
    *duration = opts.duration;
    return 0;
}

static inline int ls_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
                                      __u32 *count)
{
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    return bpf_map_lookup_batch(fd, in_batch, out_batch, keys, values, count, &opts);
}

static inline int ls_map_update_batch(int fd, const void *keys, const void *values, __u32 *count)
{
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    return bpf_map_update_batch(fd, keys, values, count, &opts);
}

static inline int ls_map_delete_batch(int fd, const void *keys, __u32 *count)
{
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    return bpf_map_delete_batch(fd, keys, count, &opts);
}

/* Kernel id of a loaded program (0 when the fd is not a program). */
static inline __u32 ls_prog_id(int prog_fd)
{
    struct bpf_prog_info info;
    memset(&info, 0, sizeof(info));
    __u32 length = sizeof(info);
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &length))
        return 0;
    return info.id;
}

static inline int ls_errno(void)
{
    return errno;
}

#endif

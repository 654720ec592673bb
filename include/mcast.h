/* SPDX-License-Identifier: MIT */
/*
 * mcast.h - the one public header of libmcast: IP multicast senders and
 * receivers for IPv4 and IPv6, any-source and source-specific.
 *
 * Conventions:
 *  - Every function that can fail returns >= 0 on success and a negative
 *    code on failure: -errno from the kernel, or one of the MCAST_E* codes
 *    below.  mcast_strerror() names every code; mcast_errmsg() says which
 *    step of a handle's work failed.
 *  - The library never prints, never exits and keeps no global state.
 *    Warnings come back as MCAST_WARN_* bits (mcast_get_info()).
 *  - Structs that may grow carry their own size in the first member
 *    (set by the matching *_init() function), so old callers keep working.
 *  - Timeouts: mcast_recv() returns -ETIMEDOUT when nothing arrived (its
 *    0 is an empty datagram), mcast_recv_batch() returns 0 (a count of
 *    datagrams).  Check each for what it returns.
 *
 * Threads: the library takes no locks and has no global state, so
 * distinct objects may be used in distinct threads at the same time.  One
 * object - a handle (mcast_t), tracker, sealer, opener or histogram - is
 * not thread-safe: use it from one thread at a time, including its const
 * getters (mcast_get_info() reads what a receive may be changing).  A
 * keyring is never written after it is loaded, so several threads may
 * share one (each with its own sealer or opener) as long as it outlives
 * them all.  The functions without an object (addresses, interfaces,
 * routes, the wire format, mcast_strerror(), mcast_version()) may be
 * called from any thread.
 */
#ifndef MCAST_H
#define MCAST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <net/if.h>
#include <string.h>
#include <time.h>

/* Strict ISO C99 (-std=c99 without _POSIX_C_SOURCE) leaves struct
 * timespec out of glibc's <time.h>; glibc's own headers take it from
 * here, under the same guard as <linux/time.h>. */
#if defined(__GLIBC__) && !defined(_STRUCT_TIMESPEC) && \
	(__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 26))
#include <bits/types/struct_timespec.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* What the library exports: it is built with hidden visibility, so only
 * the functions declared here with MCAST_API are in its dynamic symbol
 * table (tests/pkg checks it). */
#if defined(__GNUC__) && __GNUC__ >= 4
#define MCAST_API __attribute__((visibility("default")))
#else
#define MCAST_API
#endif

/*
 * The version of this header.  A program may run against another library
 * of the same soname than it was built with: mcast_version() and
 * mcast_version_number() say which one is loaded.  0.x minor releases may
 * change the API and ABI (0.2.0 did, and the wire format too:
 * docs/PROTOCOL.md; 0.3.0 bound sealed datagrams to their destination), so
 * before 1.0 the soname names the minor version (libmcast.so.0.3) and the
 * CMake package matches the same major.minor.
 */
#define MCAST_VERSION	    "0.3.0" /* CMakeLists.txt reads it from here */
#define MCAST_VERSION_MAJOR 0
#define MCAST_VERSION_MINOR 3
#define MCAST_VERSION_PATCH 0
/* (major << 16) | (minor << 8) | patch: versions compare as numbers. */
#define MCAST_VERSION_NUMBER                                        \
	((MCAST_VERSION_MAJOR << 16) | (MCAST_VERSION_MINOR << 8) | \
	 MCAST_VERSION_PATCH)

/* The loaded library's version, "0.3.0"; never NULL, never freed. */
MCAST_API const char *mcast_version(void);
/* The same as a number, like MCAST_VERSION_NUMBER. */
MCAST_API unsigned mcast_version_number(void);

/*
 * Library error codes.  They sit far below any -errno value so that both
 * kinds can travel in one int.
 */
enum mcast_error {
	MCAST_EADDR = -10001,	  /* malformed address or port */
	MCAST_ENOTMCAST = -10002, /* address is not a multicast group */
	MCAST_ENOIFACE = -10003,  /* no such interface (name, address, index) */
	MCAST_ENEEDIFACE =
		-10004,		/* link-local scope group without interface */
	MCAST_EFAMILY = -10005, /* address families do not match */
	MCAST_EROLE = -10006,	/* call not valid for this handle's role */
	MCAST_ELIMIT = -10007,	/* too many sources for one join */
	MCAST_ENOTSOURCE = -10008, /* source address is multicast/unspecified */
	MCAST_EIFDOWN = -10009,	   /* interface is down */
	MCAST_ENOTMCAST_MSG = -10010, /* no mcast magic: a plain datagram */
	MCAST_EVERSION = -10011,      /* mcast datagram of an unknown version */
	MCAST_ESHORT = -10012,	   /* truncated: shorter than its header says */
	MCAST_EMALFORMED = -10013, /* a header field is out of range */
	MCAST_EKEYFILE = -10014,   /* key file malformed or too short */
	MCAST_EKEYPERM = -10015,   /* key file readable by group or others */
	MCAST_EBADTAG = -10016,	   /* authentication tag does not verify */
	MCAST_EUNKNOWNKEY = -10017, /* key id not in the keyring */
	MCAST_EREPLAY = -10018,	    /* seen before, or older than the window */
	MCAST_ESTALE = -10019, /* send time older than the freshness window */
	MCAST_EUNSEALED =
		-10020,	      /* a key is required but the datagram has none */
	MCAST_EWRAP = -10021, /* sequence would repeat a nonce: refused */
	MCAST_ECIPHER = -10022,	 /* sealed, but not as the receiver requires */
	MCAST_EUNBOUND = -10023, /* sealed without a destination binding */
	MCAST_ESTATE = -10024,	 /* replay state file corrupt or not one */
};
#define MCAST_ERROR_MIN (-10024)

/* Name of any return code (-errno or MCAST_E*); never NULL, never freed. */
MCAST_API const char *mcast_strerror(int code);

/* ---------------------------------------------------------------- */
/* Addresses                                                        */

/* What mcast_addr_parse() accepts and requires. */
enum mcast_parse_flags {
	MCAST_PARSE_GROUP = 1 << 0,    /* must be a multicast group */
	MCAST_PARSE_PORT = 1 << 1,     /* a port is required */
	MCAST_PARSE_PORT_OPT = 1 << 2, /* a port may follow; else port 0 */
	MCAST_PARSE_UNICAST = 1 << 3,  /* must be a unicast host address */
	MCAST_PARSE_ANY_OK = 1 << 4,   /* with UNICAST: allow 0.0.0.0 / :: */
};

/*
 * Parse "239.1.2.3:1600", "[ff15::1]:5000", "[ff02::1%eth0]:5000",
 * "10.0.0.1", "fe80::1%eth0" or (with MCAST_PARSE_PORT_OPT) ":1501" into
 * *out.  A "%scope" is resolved to an interface index (sin6_scope_id).
 * Returns the address length, or MCAST_EADDR (malformed), MCAST_ENOTMCAST
 * (GROUP asked, unicast given), MCAST_ENOTSOURCE (UNICAST asked, group,
 * broadcast or wildcard given), MCAST_ENOIFACE (unknown %scope).
 */
MCAST_API int mcast_addr_parse(const char *text, unsigned flags,
			       struct sockaddr_storage *out);

/* Format flags for mcast_addr_format(). */
enum mcast_format_flags {
	MCAST_FMT_PORT = 1 << 0,  /* append ":port" ("[v6]:port" for IPv6) */
	MCAST_FMT_SCOPE = 1 << 1, /* append "%ifname" to scoped IPv6 */
};

/* Longest text mcast_addr_format() writes, with the terminating NUL. */
#define MCAST_ADDRSTRLEN (46 + IF_NAMESIZE + 10)

/*
 * Write sa as text into buf (at most len bytes, NUL-terminated).
 * Returns the length written or -EAFNOSUPPORT / -ENOSPC.
 */
MCAST_API int mcast_addr_format(const struct sockaddr *sa, unsigned flags,
				char *buf, size_t len);

/* 1 when sa is a multicast address of IPv4 or IPv6, else 0. */
MCAST_API int mcast_addr_is_multicast(const struct sockaddr *sa);
/* 1 for the source-specific ranges 232.0.0.0/8 and ff3x::/32, else 0. */
MCAST_API int mcast_addr_is_ssm(const struct sockaddr *sa);
/* 1 for IPv6 groups of interface- or link-local scope (ff01::/16, ff02::/16,
 * and the same scopes with other flags), which need an interface. */
MCAST_API int mcast_addr_needs_iface(const struct sockaddr *sa);
/* 1 when a and b hold the same family and address (and, with_port, the
 * same port), else 0.  Scope ids are not compared. */
MCAST_API int mcast_addr_same(const struct sockaddr *a,
			      const struct sockaddr *b, int with_port);
/* Interface index of an IPv6 address's %scope; 0 when none or IPv4. */
MCAST_API unsigned mcast_addr_scope(const struct sockaddr *sa);
/* Port of sa in host byte order (0 for families without ports). */
MCAST_API unsigned mcast_addr_port(const struct sockaddr *sa);
/* socklen_t fitting sa's family, 0 for an unknown family. */
MCAST_API socklen_t mcast_addr_len(const struct sockaddr *sa);

/* ---------------------------------------------------------------- */
/* Interfaces                                                       */

enum mcast_iface_flags {
	MCAST_IF_UP = 1 << 0,
	MCAST_IF_RUNNING = 1 << 1, /* carrier present */
	MCAST_IF_MULTICAST = 1 << 2,
	MCAST_IF_LOOPBACK = 1 << 3,
};

struct mcast_iface {
	unsigned index;
	char name[IF_NAMESIZE];
	unsigned flags; /* MCAST_IF_* */
	int mtu;	/* -1 when unknown */
};

/*
 * Find an interface by name ("eth0"), index ("3") or one of its addresses
 * ("10.0.0.1", "fe80::1").  Returns 0, or MCAST_ENOIFACE, or -errno.
 */
MCAST_API int mcast_iface_lookup(const char *spec, struct mcast_iface *out);
/* The same by index; an index of 0 is MCAST_ENOIFACE. */
MCAST_API int mcast_iface_by_index(unsigned index, struct mcast_iface *out);

/*
 * Ask the kernel's routing table (rtnetlink) which interface a datagram to
 * group would leave by, which is also the interface a join without an
 * explicit interface uses.  Returns the interface index (> 0), or
 * -ENETUNREACH / -EHOSTUNREACH when there is no route, or -errno.
 */
MCAST_API int mcast_route_iface(const struct sockaddr *group);

/* ---------------------------------------------------------------- */
/* Handles and options                                              */

typedef struct mcast mcast_t;

enum mcast_opt_flags {
	/* Do not share the port: a receiver's, or the port a sender binds
	 * (opts.bind), which is then -EADDRINUSE when taken already. */
	MCAST_OPT_NO_REUSEADDR = 1 << 0,
	/* Sender: never connect the socket to the group, so it can also
	 * receive unicast replies (mcast_recv_batch() on the sender) and send
	 * to other destinations (struct mcast_dgram.to).  It is bound to a
	 * port at open; the source address is still looked up at open (with a
	 * throwaway socket) and reported by mcast_get_info(). */
	MCAST_OPT_REPLIES = 1 << 1,
	/* Sender: hand runs of equal-sized datagrams of a batch to the
	 * kernel as one segmented buffer (UDP_SEGMENT).  Falls back to
	 * sendmmsg() by itself where the kernel refuses (MCAST_WARN_GSO_OFF). */
	MCAST_OPT_GSO = 1 << 2,
	/* Receiver: let the kernel coalesce datagrams of a flow (UDP_GRO);
	 * the library splits them again, each with its own metadata. */
	MCAST_OPT_GRO = 1 << 3,
	/* Receive by spinning on non-blocking reads instead of sleeping in
	 * poll(), for the lowest latency at the cost of a busy core.  Also
	 * sets SO_BUSY_POLL where permitted, which lets the kernel poll the
	 * device itself - only devices with NAPI (not lo, not veth) benefit.
	 * A signal does not cut a spinning wait short: give a timeout. */
	MCAST_OPT_BUSY_POLL = 1 << 4,
	/* Receiver: watch the kernel's link and address events (rtnetlink)
	 * and report them (mcast_events()).  Linux keeps memberships across
	 * link down/up and address changes; when the interface named in
	 * opts.iface is deleted and created again (a new index), the handle
	 * leaves the stale memberships - they still count against
	 * igmp_max_memberships - and joins again on the new interface. */
	MCAST_OPT_WATCH = 1 << 5,
	/* Receiver: leave meta.src empty (family AF_UNSPEC), for callers
	 * that know who sends: spares the kernel copying the sender's
	 * address out with every datagram. */
	MCAST_OPT_NO_SOURCE = 1 << 6,
};

struct mcast_opts {
	size_t size;	   /* sizeof(struct mcast_opts); set by init */
	const char *iface; /* name, index or address; NULL: kernel's route */
	int ttl;	   /* TTL / hop limit, 0..255; -1: 1 */
	int loop; /* multicast loopback: 0 off, 1 on, -1: kernel (on) */
	/* Sender: local address and/or source port to bind (port 0: any).
	 * Receiver: ignored (receivers bind the wildcard and the group's port).
	 * Family AF_UNSPEC means "do not bind". */
	struct sockaddr_storage bind;
	int rcvbuf;	/* receiver: SO_RCVBUF request in bytes; 0: default */
	int sndbuf;	/* sender: SO_SNDBUF request in bytes; 0: default */
	unsigned flags; /* MCAST_OPT_* */
	/* When an open fails there is no handle to ask mcast_errmsg(): the
	 * failed step is written here instead (caller-owned, may be NULL). */
	char *errbuf;
	size_t errlen;
	/* Receiver: the metadata wanted, of MCAST_META_DST, MCAST_META_TTL
	 * and MCAST_META_TS (default: all three).  Each costs the kernel
	 * work per datagram - IP_PKTINFO even a route lookup - so a receiver
	 * after raw throughput asks only for what it uses.  The source
	 * address and the length always come. */
	unsigned meta;
};

/* Fill *o with defaults: no interface, TTL 1, kernel loopback, no bind,
 * all metadata. */
MCAST_API void mcast_opts_init(struct mcast_opts *o);

/* Bits of struct mcast_info.warnings. */
enum mcast_warning {
	MCAST_WARN_RCVBUF_CLAMPED = 1 << 0, /* kernel gave less (rmem_max) */
	MCAST_WARN_SNDBUF_CLAMPED = 1 << 1, /* kernel gave less (wmem_max) */
	MCAST_WARN_SSM_NO_SOURCE = 1 << 2,  /* 232/8 or ff3x:: joined as ASM */
	MCAST_WARN_UNSPEC_SOURCE = 1 << 3,  /* IPv4 sender sends from 0.0.0.0 */
	MCAST_WARN_GSO_OFF = 1 << 4,	    /* UDP_SEGMENT refused: sendmmsg */
	MCAST_WARN_GRO_OFF = 1 << 5,	    /* UDP_GRO refused: recvmmsg */
};

/* What a handle ended up with: interface, local address, buffers. */
struct mcast_info {
	size_t size; /* sizeof(struct mcast_info) */
	int is_sender;
	struct mcast_iface iface;      /* index 0 when the kernel chooses */
	struct sockaddr_storage local; /* sender: source address and port */
	struct sockaddr_storage group; /* sender: destination group */
	int ttl;		       /* sender: TTL / hop limit in use */
	int rcvbuf_requested, rcvbuf_effective; /* receiver, in bytes */
	int sndbuf_requested, sndbuf_effective; /* sender, in bytes */
	unsigned ngroups;			/* receiver: joined groups */
	unsigned nsockets; /* receiver: one or more per (family, port) */
	unsigned warnings; /* MCAST_WARN_* */
	/* receiver: datagrams the kernel dropped at the receiver's sockets,
	 * because a receive buffer was full (SO_MEMINFO, read at this call);
	 * on the UDP_GRO path it counts coalesced buffers, each of which may
	 * have held many datagrams */
	uint64_t kernel_drops;
	int busy_poll; /* 0 off; 1 user-space spin; 2 spin and the
			    * kernel's SO_BUSY_POLL accepted */
};

/* Zero *info and set its size to this header's; NULL is ignored. */
MCAST_API void mcast_info_init(struct mcast_info *info);

/* Set info->size first (mcast_info_init()).  Returns 0 or -EINVAL. */
MCAST_API int mcast_get_info(const mcast_t *m, struct mcast_info *info);

/* One socket of a receiver: the kernel counts drops per socket, and a
 * socket may serve many groups, so drops belong here and not to a group. */
struct mcast_socket_info {
	size_t size;	       /* sizeof(struct mcast_socket_info) */
	int family;	       /* AF_INET or AF_INET6 */
	unsigned port;	       /* the port it is bound to */
	unsigned ngroups;      /* groups joined on it now */
	uint64_t kernel_drops; /* as mcast_info.kernel_drops, this socket */
};

/*
 * Socket i (0 <= i < mcast_info.nsockets, in the order they opened; an
 * index stays valid for the handle's life) of a receiver into *out (set
 * out->size first; it says how much was filled).  Returns 0, -ERANGE, or
 * -EINVAL (NULL, a sender).
 */
MCAST_API int mcast_get_socket(const mcast_t *m, unsigned i,
			       struct mcast_socket_info *out);

/*
 * Open a sender for group (with its port).  The socket is connected to the
 * group (unless MCAST_OPT_REPLIES), so the kernel's choice of source address
 * is known and reported in mcast_get_info().  On success *mp owns the handle (free with
 * mcast_close()); on failure *mp is NULL and nothing is left open.
 * Errors: MCAST_ENOTMCAST, MCAST_ENOIFACE, MCAST_ENEEDIFACE, MCAST_EFAMILY
 * (bind address of the other family), -EADDRINUSE, -ENETUNREACH, -errno.
 */
MCAST_API int mcast_sender_open(mcast_t **mp, const struct sockaddr *group,
				const struct mcast_opts *opts);

/*
 * Open a UDP handle with no group, for unicast: a relay tunnel's ends.  It
 * sends each datagram to its own struct mcast_dgram.to (required; a send
 * without one fails with -EDESTADDRREQ) - to a multicast address too,
 * then out of opts.iface with opts.ttl, and per datagram a meta TTL as
 * mcast_send_batch() says - and receives (mcast_recv_batch(), with
 * opts.meta) the unicast datagrams sent to its own address.  That address
 * is opts.bind, which may be any local unicast address, loopback
 * included, with a port (0: any); family AF_UNSPEC binds the wildcard of
 * family and a free port.  opts.ttl sets the unicast TTL / hop limit too;
 * opts.rcvbuf the receive buffer.  mcast_get_info() reports the bound
 * address as local and no group; mcast_sender_refresh() applies opts.iface
 * again.  On success *mp owns the handle (mcast_close()).
 * Errors: MCAST_EFAMILY (family not AF_INET or AF_INET6, or a bind address
 * of the other), MCAST_ENOIFACE, -EADDRINUSE (with MCAST_OPT_NO_REUSEADDR,
 * the port is taken), -EADDRNOTAVAIL (not a local address), -errno.
 */
MCAST_API int mcast_unicast_open(mcast_t **mp, int family,
				 const struct mcast_opts *opts);

/*
 * Open a receiver with no groups yet; add them with mcast_join().
 * The handle's fd (mcast_fd()) is valid at once.
 */
MCAST_API int mcast_receiver_open(mcast_t **mp, const struct mcast_opts *opts);

/* Most sources one mcast_join() takes for a group. */
#define MCAST_MAX_SOURCES 16

/*
 * Join group (with its port) on the receiver, for any source (nsources 0)
 * or only the given sources (source-specific, RFC 3678).  The interface is
 * the group's %scope, else opts->iface, else the kernel's route.  Any
 * number of groups and ports: a socket serves the groups of one (family,
 * port) until the kernel refuses it more (igmp_max_memberships, 20 per
 * socket by default), then another socket opens.  IPv4 and IPv6 groups
 * may be mixed.
 * Errors: -ENODEV (no multicast route: give an interface), -EADDRINUSE
 * (already joined), -ENOBUFS (more sources than igmp_max_msf /
 * mld_max_msf allow), -ENOMEM, MCAST_ELIMIT (more than MCAST_MAX_SOURCES),
 * MCAST_ENOTMCAST, MCAST_ENEEDIFACE, MCAST_EFAMILY (source of other
 * family), MCAST_EROLE (a sender), -errno.  A failed join leaves the
 * handle's earlier joins in place; mcast_errmsg() names the group.
 */
MCAST_API int mcast_join(mcast_t *m, const struct sockaddr *group,
			 const struct sockaddr_storage *sources,
			 size_t nsources);

/*
 * Leave group (address and port, as joined), every source of it, and
 * forget it: mcast_rejoin() and link events no longer touch it.  Its
 * socket stays open (sockets close with the handle) and takes new groups
 * again.  Returns 0; -ENOENT when the group was not joined; -EINVAL;
 * MCAST_EROLE (a sender); or the kernel's -errno, after which the group
 * is forgotten all the same.
 */
MCAST_API int mcast_leave(mcast_t *m, const struct sockaddr *group);

/*
 * Refresh every membership by leaving and joining again, so that a report
 * goes out now: for IGMP/MLD snooping switches that have no querier and
 * forget members after a few minutes.  (A second join on the same socket
 * would fail with EADDRINUSE and send nothing.)  A report goes out only
 * when no other local socket holds the group.  Returns 0 or the first
 * error; groups that failed stay left and mcast_errmsg() names them.
 */
MCAST_API int mcast_rejoin(mcast_t *m);

enum mcast_event_type {
	MCAST_EV_LINK_DOWN = 1,	    /* the interface went down / lost carrier */
	MCAST_EV_LINK_UP = 2,	    /* up with carrier again */
	MCAST_EV_LINK_GONE = 3,	    /* the interface was deleted */
	MCAST_EV_REJOINED = 4,	    /* recreated: memberships moved to it */
	MCAST_EV_REJOIN_FAILED = 5, /* recreated, but a join failed (error) */
	MCAST_EV_ADDR_ADDED = 6,    /* an address appeared on the interface */
	MCAST_EV_ADDR_REMOVED = 7,  /* an address went away */
	/* Only changes after the handle was opened are events: a known
	 * address the kernel announces again (its duplicate address
	 * detection done, its lifetimes renewed) is not. */
};

/* One event seen by a watching receiver (MCAST_OPT_WATCH). */
struct mcast_event {
	int type;	      /* enum mcast_event_type */
	unsigned ifindex;     /* the interface now */
	unsigned old_ifindex; /* REJOINED / REJOIN_FAILED: before */
	char ifname[IF_NAMESIZE];
	int error;	    /* REJOIN_FAILED: the join's error code */
	unsigned groups;    /* REJOINED: memberships moved */
	struct timespec ts; /* when it was read, CLOCK_REALTIME */
	/* ADDR_ADDED / ADDR_REMOVED: the address (port 0); else AF_UNSPEC */
	struct sockaddr_storage addr;
	unsigned prefixlen; /* of addr */
};

/*
 * Take up to n queued events (read while receiving: mcast_recv_batch()
 * returns early, with what it has, when an event arrives).  Returns the
 * number taken; events beyond the queue's 64 are counted in *lost when
 * lost is not NULL.  -EINVAL for NULL arguments.
 */
MCAST_API int mcast_events(mcast_t *m, struct mcast_event *ev, size_t n,
			   uint64_t *lost);

/*
 * Sender: look the interface up again by the name given in opts.iface and
 * apply it, after the interface was deleted and created again (sends fail
 * with ENODEV, ENXIO or ENETDOWN meanwhile).  Returns 0 when the interface
 * is back, or MCAST_ENOIFACE / -errno while it is not.
 */
MCAST_API int mcast_sender_refresh(mcast_t *m);

/* Longest text returned by mcast_errmsg(). */
#define MCAST_ERRMSG_MAX 256

/* Which step failed last, e.g. "join 239.1.2.3 on eth0"; "" if none.
 * Owned by the handle; valid until the next call on it.  NULL-safe. */
MCAST_API const char *mcast_errmsg(const mcast_t *m);

/* A pollable fd: readable when a datagram is waiting (receivers; an epoll
 * fd over all sockets) or the socket itself (senders).  Owned by m. */
MCAST_API int mcast_fd(const mcast_t *m);

/* Leave every group, close every socket, free m.  NULL-safe. */
MCAST_API void mcast_close(mcast_t *m);

/* ---------------------------------------------------------------- */
/* Sending and receiving                                            */

/* Bits of struct mcast_meta.flags. */
enum mcast_meta_flags {
	MCAST_META_TRUNC = 1 << 0, /* datagram was longer than the buffer */
	MCAST_META_DST = 1 << 1,   /* dst is known (IP_PKTINFO) */
	MCAST_META_TTL = 1 << 2,   /* ttl is known */
	MCAST_META_TS = 1 << 3,	   /* ts is the kernel's arrival time */
};

/*
 * What is known about one received datagram.  Set size (mcast_meta_init())
 * once; every receive rewrites all the members that fit in size (and keeps
 * size), so the struct can be reused without clearing, and later versions
 * may append members without breaking callers.
 */
struct mcast_meta {
	size_t size;
	unsigned flags;		     /* MCAST_META_* */
	size_t len;		     /* datagram length on the wire */
	struct sockaddr_storage src; /* sender's address and port */
	struct sockaddr_storage dst; /* group it was sent to, and port */
	unsigned ifindex;	     /* arrival interface, 0 when unknown */
	int ttl;		     /* received TTL / hop limit, -1 unknown */
	struct timespec ts;	     /* arrival time, CLOCK_REALTIME */
};

static inline void mcast_meta_init(struct mcast_meta *meta)
{
	/* memset, not a compound literal: the header is also C++'s. */
	memset(meta, 0, sizeof(*meta));
	meta->size = sizeof(*meta);
	meta->ttl = -1;
}

/* One datagram of a batch: the caller owns buf, meta and to. */
struct mcast_dgram {
	void *buf;  /* payload; receive: where to store it */
	size_t len; /* send: bytes to send; receive: bytes stored */
	size_t cap; /* receive: size of buf */
	/* receive: filled in, may be NULL.  send: may be NULL; with
	 * MCAST_META_TTL in flags and a ttl of 1..255 the datagram goes out
	 * with that TTL / hop limit instead of the handle's (a relay passes
	 * on the received TTL less one; such a batch is never segmented) */
	struct mcast_meta *meta;
	/* send: destination, NULL for the sender's group; another address
	 * needs a sender opened with MCAST_OPT_REPLIES. */
	const struct sockaddr *to;
};

/*
 * Send n datagrams to the sender's group.  Returns how many were sent
 * (a short count when the kernel refused one after others went out), or a
 * negative code when none was.  Errors: MCAST_EROLE (a receiver),
 * -EMSGSIZE, -ENETUNREACH, -ENODEV, -EAGAIN (non-blocking, queue full).
 */
MCAST_API int mcast_send_batch(mcast_t *m, const struct mcast_dgram *v,
			       size_t n);

/*
 * How many datagrams of len bytes one system call of a segmented sender
 * (MCAST_OPT_GSO) carries when every buffer is full.  Batches of a multiple
 * of it leave no part-filled buffer at their end, which costs the kernel a
 * whole trip down the stack for a few datagrams (1-5% of the rate at 1400
 * bytes in batches of 1024).  Always >= 1; no handle needed.
 */
MCAST_API size_t mcast_gso_batch(size_t len);

/* Send one datagram.  Returns len, or a code as mcast_send_batch(). */
MCAST_API int mcast_send(mcast_t *m, const void *buf, size_t len);

/*
 * Receive up to n datagrams, waiting at most timeout_ms (-1: forever,
 * 0: do not wait) for the first one; takes what is already queued after
 * it without waiting.  Returns the number received, or -EINTR when a
 * signal arrived while waiting, or -errno.  A timeout is 0, NOT
 * -ETIMEDOUT as from mcast_recv(): 0 also comes back when an event of a
 * watching receiver (MCAST_OPT_WATCH) ended the wait before a datagram
 * arrived, and for n == 0.  On a sender
 * opened with MCAST_OPT_REPLIES it reads the unicast datagrams sent to
 * the sender's own address and port (MCAST_EROLE on other senders).
 */
MCAST_API int mcast_recv_batch(mcast_t *m, struct mcast_dgram *v, size_t n,
			       int timeout_ms);

/*
 * Receive one datagram into buf.  Returns the bytes stored (0 for an empty
 * datagram), or -ETIMEDOUT when none arrived in time - unlike
 * mcast_recv_batch(), whose timeout is 0 - or when an event of a watching
 * receiver ended the wait first (see mcast_events()), or a code as
 * mcast_recv_batch().  meta may be NULL.
 */
MCAST_API int mcast_recv(mcast_t *m, void *buf, size_t cap,
			 struct mcast_meta *meta, int timeout_ms);

/* ---------------------------------------------------------------- */
/* Wire format: the envelope of all mcast-framed traffic            */
/* (docs/PROTOCOL.md).  Fields travel in network byte order.         */

#define MCAST_WIRE_MAGIC      0x4d435354u /* "MCST" */
#define MCAST_WIRE_VERSION    2		  /* what senders write */
#define MCAST_WIRE_HDR_LEN    56	  /* version 2 header, bytes */
#define MCAST_WIRE_HDR_LEN_V1 48	  /* version 1 header, bytes */
#define MCAST_SESSION_LEN     16
#define MCAST_END_BODY_LEN    16 /* end-of-stream body: total, not_sent */
#define MCAST_END_BODY_LEN_V1 8	 /* version 1 body: total only */
#define MCAST_PONG_BODY_LEN   32 /* pong body: echoed ping */

enum mcast_msg_type {
	MCAST_MSG_DATA = 1, /* data probe */
	MCAST_MSG_END = 2,  /* end of stream; body: struct mcast_end */
	MCAST_MSG_PING = 3, /* ping probe, answered by responders */
	MCAST_MSG_PONG = 4, /* answer to a ping; body: the echoed ping */
	/* a multicast datagram carried by unicast between relays; body:
	 * struct mcast_tunnel, then the datagram's payload */
	MCAST_MSG_TUNNEL = 5,
};

enum mcast_hdr_flags {
	/* pong: sent by unicast, not to the group */
	MCAST_HDR_UNICAST = 1 << 0,
	/* ping: answer to the group, and/or to the pinger's address */
	MCAST_HDR_WANT_MCAST = 1 << 1,
	MCAST_HDR_WANT_UCAST = 1 << 2,
	/* sealed: payload authenticated, not encrypted */
	MCAST_HDR_AUTH_ONLY = 1 << 3,
	/* sealed with ChaCha20-Poly1305, else AES-256-GCM */
	MCAST_HDR_CHACHA = 1 << 4,
};

/* A decoded header.  hdr_len and payload_len describe where the payload
 * lies: at hdr_len bytes from the start, payload_len bytes long. */
struct mcast_hdr {
	uint8_t version; /* 1 or 2 as received; the encoder writes 2 */
	uint8_t type;	 /* enum mcast_msg_type */
	uint16_t flags;	 /* enum mcast_hdr_flags */
	uint32_t key_id; /* 0: not sealed */
	uint8_t session[MCAST_SESSION_LEN];
	uint64_t seq;	  /* from 0 in each session */
	uint64_t send_ns; /* sender's CLOCK_REALTIME, ns since the epoch */
	uint8_t ttl;	  /* TTL / hop limit the sender set */
	uint8_t hdr_len;  /* header bytes on the wire (>= 48, v2 >= 56) */
	uint16_t payload_len;
	/* version 2: ns since the session began, by the sender's
	 * CLOCK_MONOTONIC; has_elapsed is 0 (and elapsed_ns 0) for a
	 * version 1 header, which does not carry it */
	uint8_t has_elapsed;
	uint64_t elapsed_ns;
};

/*
 * Write h as a version-2 header into buf (h->version, h->hdr_len and
 * h->has_elapsed are ignored: 2, 56 and h->elapsed_ns are written).
 * Returns MCAST_WIRE_HDR_LEN, or -ENOSPC when cap is too small,
 * MCAST_EMALFORMED for an unknown type or reserved flag bits, -EINVAL for
 * NULL arguments.  Writes nothing on failure.
 */
MCAST_API int mcast_hdr_encode(const struct mcast_hdr *h, void *buf,
			       size_t cap);

/*
 * Rewrite only the sequence number, send time and elapsed time of a
 * header that mcast_hdr_encode() wrote at buf (MCAST_WIRE_HDR_LEN bytes or
 * more), so a high-rate sender stamps prepared datagrams without encoding
 * the rest again.  Nothing is checked: buf must hold such a header.  A
 * sealed datagram cannot be stamped (the tag covers the header).
 */
MCAST_API void mcast_hdr_stamp(void *buf, uint64_t seq, uint64_t send_ns,
			       uint64_t elapsed_ns);

/*
 * Decode the header at buf (len bytes received): version 1 or 2.  Returns
 * the payload offset (h->hdr_len) on success, or MCAST_ENOTMCAST_MSG (no
 * magic: a plain datagram), MCAST_EVERSION (neither 1 nor 2),
 * MCAST_ESHORT (the magic but fewer than 5 bytes, or len shorter than the
 * version's header or hdr_len + payload_len), MCAST_EMALFORMED (unknown
 * type, hdr_len below the version's header, reserved flag bits set, or
 * bytes after the payload of an unsealed datagram), -EINVAL for NULL
 * arguments.  Bytes between the known header and hdr_len (later
 * extensions) are skipped.  Never reads past buf + len; *h is written
 * only on success.
 */
MCAST_API int mcast_hdr_decode(struct mcast_hdr *h, const void *buf,
			       size_t len);

/* End-of-stream body.  total: sequence numbers the session spent on data
 * probes (the next one it would have used); not_sent: how many of them
 * the kernel did not take (they are lost to every receiver). */
struct mcast_end {
	uint64_t total;
	uint64_t not_sent;
	uint8_t has_not_sent; /* decode: 0 for a version 1 (8-byte) body */
};

/* Encode writes the 16-byte body and returns MCAST_END_BODY_LEN, or
 * -ENOSPC.  Decode reads a 16-byte body, or an 8-byte version 1 body
 * (not_sent 0, has_not_sent 0), ignoring bytes beyond; returns the bytes
 * read, or MCAST_ESHORT below 8.  -EINVAL for NULL arguments. */
MCAST_API int mcast_end_encode(const struct mcast_end *e, void *buf,
			       size_t cap);
MCAST_API int mcast_end_decode(struct mcast_end *e, const void *buf,
			       size_t len);

/* Pong body: the ping it answers.  The functions return
 * MCAST_PONG_BODY_LEN, or -ENOSPC / MCAST_ESHORT / -EINVAL as above. */
struct mcast_pong {
	uint8_t ping_session[MCAST_SESSION_LEN];
	uint64_t ping_seq;
	uint64_t ping_send_ns;
};
MCAST_API int mcast_pong_encode(const struct mcast_pong *p, void *buf,
				size_t cap);
MCAST_API int mcast_pong_decode(struct mcast_pong *p, const void *buf,
				size_t len);

/* Tunnel body (docs/PROTOCOL.md, "5 - tunnel"): where a relayed
 * datagram was sent and by whom, and the TTL it arrived with.  The
 * datagram's payload follows the MCAST_TUNNEL_BODY_LEN bytes. */
#define MCAST_TUNNEL_BODY_LEN 40
struct mcast_tunnel {
	struct sockaddr_storage group;	/* group and port; IPv4 or IPv6 */
	struct sockaddr_storage source; /* original sender, same family */
	uint8_t ttl;			/* TTL / hop limit it arrived with */
};

/* Encode writes the 40-byte body and returns MCAST_TUNNEL_BODY_LEN, or
 * -ENOSPC, or MCAST_EFAMILY (group and source of different or unknown
 * families), MCAST_ENOTMCAST (group not multicast), -EINVAL for NULL.
 * Decode reads a body (bytes beyond its 40 are the payload, not read);
 * returns MCAST_TUNNEL_BODY_LEN, or MCAST_ESHORT below 40 bytes,
 * MCAST_EMALFORMED (an unknown family, reserved bytes not zero, an IPv4
 * address not padded with zeros, a group that is not multicast or a
 * port 0), -EINVAL for NULL.  Scope ids are not carried: a link-local
 * group takes the interface it is sent out of. */
MCAST_API int mcast_tunnel_encode(const struct mcast_tunnel *t, void *buf,
				  size_t cap);
MCAST_API int mcast_tunnel_decode(struct mcast_tunnel *t, const void *buf,
				  size_t len);

/* ---------------------------------------------------------------- */
/* AMT, Automatic Multicast Tunneling (RFC 7450; docs/PROTOCOL.md)  */
/* ---------------------------------------------------------------- */

#define MCAST_AMT_PORT 2268	/* the relay's UDP port */
#define MCAST_AMT_MAC_LEN 6	/* the response MAC: 48 bits */
#define MCAST_AMT_GW_LEN 18	/* gateway port and 16-byte address */

enum mcast_amt_type {
	MCAST_AMT_DISCOVERY = 1,     /* gateway -> anycast/relay address */
	MCAST_AMT_ADVERTISEMENT = 2, /* relay: the address to use */
	MCAST_AMT_REQUEST = 3,	     /* gateway: send me a query */
	MCAST_AMT_QUERY = 4,	     /* relay: MAC, nonce, IGMP/MLD query */
	MCAST_AMT_UPDATE = 5,	     /* gateway: MAC, nonce, IGMP/MLD report */
	MCAST_AMT_DATA = 6,	     /* relay: a multicast IP datagram */
	MCAST_AMT_TEARDOWN = 7,	     /* gateway: forget my old address */
};

/*
 * One AMT message.  nonce is the discovery nonce (types 1, 2) or the
 * request nonce (3, 4, 5, 7); mac the response MAC (4, 5, 7).  addr is
 * the relay's address (2; no port), or the gateway's address and port as
 * the relay saw them (4 with gateway set, and 7; an IPv4 address travels
 * IPv4-mapped in 16 bytes).  ip is the encapsulated IP packet (4: the
 * general query, 5: the report, 6: the multicast datagram): encode copies
 * ip_len bytes from it, decode points it into the decoded buffer.
 */
struct mcast_amt {
	uint8_t type; /* enum mcast_amt_type */
	uint8_t mld;	 /* 3: the P flag, an MLDv2 query is wanted */
	uint8_t limit;	 /* 4: the L flag */
	uint8_t gateway; /* 4: the G flag, addr holds the gateway's */
	uint32_t nonce;
	uint8_t mac[MCAST_AMT_MAC_LEN];
	struct sockaddr_storage addr;
	const uint8_t *ip;
	size_t ip_len;
};

/* Encode returns the message's length, or -ENOSPC, MCAST_EMALFORMED (an
 * unknown type, no ip for 4-6, an address of no family), -EINVAL for
 * NULL.  Decode returns the bytes it read (len for 4, 5 and 6; bytes
 * after a 1, 3 or 7 are ignored), or MCAST_ESHORT (shorter than the type's
 * fixed fields), MCAST_EVERSION (version not 0), MCAST_EMALFORMED (an
 * unknown type, an advertisement of neither 4 nor 16 address bytes, a
 * relay address not unicast), -EINVAL for NULL.  Reserved bits are
 * ignored on receipt, as RFC 7450 says. */
MCAST_API int mcast_amt_encode(const struct mcast_amt *m, void *buf,
			       size_t cap);
MCAST_API int mcast_amt_decode(struct mcast_amt *m, const void *buf,
			       size_t len);

/* The response MAC a relay gives a gateway (HMAC-SHA256 with key over
 * the gateway's 16-byte address, port and nonce, its first 48 bits):
 * the relay needs no state per gateway to check an update.  Returns 0,
 * -EINVAL (NULL, a key under 16 bytes, gw neither IPv4 nor IPv6) or
 * -ENOMEM when libcrypto fails. */
MCAST_API int mcast_amt_mac(const uint8_t *key, size_t keylen,
			    const struct sockaddr *gw, uint32_t nonce,
			    uint8_t mac[MCAST_AMT_MAC_LEN]);

/* IGMPv3 / MLDv2 group record types (RFC 3376 4.2.12, RFC 3810 5.2.12). */
enum mcast_amt_rec {
	MCAST_REC_IS_INCLUDE = 1,
	MCAST_REC_IS_EXCLUDE = 2,
	MCAST_REC_TO_INCLUDE = 3,
	MCAST_REC_TO_EXCLUDE = 4,
	MCAST_REC_ALLOW = 5,
	MCAST_REC_BLOCK = 6,
};

/* A group record: (S,G) as INCLUDE with sources, (*,G) as EXCLUDE with
 * none, leaving (*,G) as TO_INCLUDE with none.  Addresses have port 0. */
struct mcast_amt_record {
	uint8_t type; /* enum mcast_amt_rec */
	struct sockaddr_storage group;
	size_t nsources;
	struct sockaddr_storage sources[MCAST_MAX_SOURCES];
};

/*
 * The IGMP or MLD message an AMT query or update carries, with its IP
 * header: IPv4 with the Router Alert option, TTL 1 and IGMPv3 (protocol
 * 2), or IPv6 with a hop-by-hop Router Alert, hop limit 1 and MLDv2
 * (ICMPv6 130 / 143).  A query is a general one: qrv, qqi (seconds) and
 * max_resp (IGMP: tenths of a second; MLD: milliseconds).  A report is
 * nrecords records.  Decoding also takes IGMPv1/v2 reports and leaves
 * and MLDv1 reports and dones, as one record each (IS_EXCLUDE or
 * TO_INCLUDE, no sources).  src and dst are the IP header's.
 */
struct mcast_amt_memb {
	int family;    /* AF_INET: IGMP; AF_INET6: MLD */
	uint8_t query; /* 1: a general query; 0: a report */
	struct sockaddr_storage src, dst;
	uint8_t qrv;
	unsigned qqi, max_resp;
	size_t nrecords;
	struct mcast_amt_record *records; /* decode: room for cap */
	size_t cap;
};

/* Encode returns the packet's length, or -ENOSPC, MCAST_EFAMILY (family
 * not AF_INET/AF_INET6, or an address of another), MCAST_ELIMIT (more
 * than MCAST_MAX_SOURCES in a record), -EINVAL.  Decode returns the IP
 * packet's length (bytes after it are not read), or MCAST_ESHORT,
 * MCAST_EMALFORMED (not IPv4/IGMP or IPv6/MLD, a bad checksum, an
 * unknown message, a record that overruns), MCAST_ELIMIT (more records
 * than cap or sources than MCAST_MAX_SOURCES), -EINVAL.  A query's
 * defaults: dst 224.0.0.1 or ff02::1; a report's: 224.0.0.22 or ff02::16
 * (dst AF_UNSPEC on encode). */
MCAST_API int mcast_amt_memb_encode(const struct mcast_amt_memb *m,
				    void *buf, size_t cap);
MCAST_API int mcast_amt_memb_decode(struct mcast_amt_memb *m,
				    const void *buf, size_t len);

/*
 * An IP header (IPv4 without options, or IPv6 without extensions) for a
 * UDP datagram of udp_len bytes (UDP header included) from src to dst
 * with TTL ttl: what a relay puts before a datagram an IPv6 raw socket
 * gave it without one.  Returns 20 or 40, -ENOSPC, MCAST_EFAMILY,
 * -EINVAL.  mcast_amt_udp_decode() reads such a datagram (Multicast
 * Data's ip): src and dst get addresses and ports, *ttl the TTL or hop
 * limit; returns the offset of the UDP payload, whose length is len less
 * that, or MCAST_ESHORT, MCAST_EMALFORMED (not IPv4/IPv6, not UDP,
 * lengths that disagree, a destination not multicast), -EINVAL.
 */
MCAST_API int mcast_amt_ip_header(void *buf, size_t cap,
				  const struct sockaddr *src,
				  const struct sockaddr *dst, int ttl,
				  size_t udp_len);
MCAST_API int mcast_amt_udp_decode(const void *ip, size_t len,
				   struct sockaddr_storage *src,
				   struct sockaddr_storage *dst, int *ttl);

/* Fill a new random session id (getrandom()), never all zeros.
 * Returns 0, -EINVAL for NULL, or -errno. */
MCAST_API int mcast_session_new(uint8_t session[MCAST_SESSION_LEN]);

/* ---------------------------------------------------------------- */
/* Histograms: log buckets, constant memory, ~3% resolution         */

#define MCAST_HIST_SUB	   32 /* sub-buckets per power of two */
#define MCAST_HIST_BUCKETS (MCAST_HIST_SUB * 40)

struct mcast_hist {
	uint64_t count;
	uint64_t min, max; /* exact */
	uint64_t buckets[MCAST_HIST_BUCKETS];
};

MCAST_API void mcast_hist_init(struct mcast_hist *h);
/* Add one value (e.g. nanoseconds); values above 2^40 share the top. */
MCAST_API void mcast_hist_add(struct mcast_hist *h, uint64_t v);
/* Add every value of src into dst. */
MCAST_API void mcast_hist_merge(struct mcast_hist *dst,
				const struct mcast_hist *src);
/* The q-quantile (0 <= q <= 1), within one bucket's width (about 3%) of
 * the exact value, clamped to [min, max]; 0 when empty. */
MCAST_API uint64_t mcast_hist_quantile(const struct mcast_hist *h, double q);

/* ---------------------------------------------------------------- */
/* Stream statistics: feed received datagrams, read exact counters  */

typedef struct mcast_tracker mcast_tracker_t;

/*
 * How a tracker reads payloads (docs/STREAMS.md).  The default, MCAST,
 * is what it always did: mcast probes by their header, anything else a
 * plain datagram per source.  The others analyze the streams users run
 * without mcast's sender: RTP (RFC 3550), MPEG-TS (ISO/IEC 13818-1 with
 * the ETSI TR 101 290 priority-1 checks) over UDP or RTP, and any feed
 * with a sequence number field.  AUTO decides per sender (group, source
 * address and port) from its first datagrams.
 */
enum mcast_stream_type {
	MCAST_STREAM_MCAST = 0,	  /* mcast probes; others plain */
	MCAST_STREAM_AUTO = 1,	  /* decided per sender */
	MCAST_STREAM_RTP = 2,	  /* RTP: a session per SSRC */
	MCAST_STREAM_TS = 3,	  /* MPEG-TS over UDP */
	MCAST_STREAM_RTP_TS = 4,  /* MPEG-TS over RTP: both layers */
	MCAST_STREAM_SEQ = 5,	  /* a sequence field: opts.seq */
	MCAST_STREAM_NONE = 6,	  /* every datagram plain */
	MCAST_STREAM_UNKNOWN = 7, /* stats only: a plain source */
};

/* The name of a stream type: "mcast", "auto", "rtp", "ts", "rtp-ts",
 * "seq", "none", "unknown"; "?" for other values.  Never NULL. */
MCAST_API const char *mcast_stream_name(int type);

/* Where a feed keeps its sequence number (MCAST_STREAM_SEQ). */
struct mcast_seq_spec {
	unsigned offset; /* bytes from the start of the payload */
	unsigned width;	 /* 1, 2, 4 or 8 bytes */
	int little_endian;
	/* 0: the number advances by one per datagram.  Else the datagram
	 * carries count_width (1, 2, 4 or 8) bytes at count_offset, in the
	 * same byte order: how many numbers (messages) it holds, from its
	 * own.  A count of 0 is a heartbeat that names the next number; a
	 * count of all ones (MoldUDP64's 0xFFFF, end of session) too. */
	int has_count;
	unsigned count_offset, count_width;
};

/*
 * Parse "OFFSET:WIDTH[:be|le][:count=OFFSET:WIDTH]", with or without a
 * leading "seq:" - MoldUDP64 is "seq:10:8:be:count=18:2".  Big-endian
 * unless "le".  Returns 0, or -EINVAL (malformed, a width other than 1,
 * 2, 4, 8, an offset above 65535); *out is written only on success.
 */
MCAST_API int mcast_seq_spec_parse(const char *text,
				   struct mcast_seq_spec *out);

struct mcast_tracker_opts {
	size_t size;	       /* sizeof(struct mcast_tracker_opts) */
	unsigned max_sessions; /* entries kept (sessions and plain
				 * sources); oldest idle retired past it;
				 * default 256 */
	unsigned window;       /* sequence history for duplicate
				 * detection, default 1024, max 65536 */
	/* Appended in 0.3 (docs/STREAMS.md): */
	int stream;		   /* enum mcast_stream_type, default MCAST */
	struct mcast_seq_spec seq; /* for MCAST_STREAM_SEQ */
	unsigned rtp_clock;	   /* Hz of RTP payload types without a
				      * static rate (96-127); 0: unknown,
				      * no jitter for them */
	unsigned max_pids;	   /* MPEG-TS PIDs tracked, shared by all
				      * sessions; default 8192, max 65536 */
	unsigned pid_timeout_ms;   /* TR 101 290 PID_error: a PID of a
				      * PMT absent this long; default 5000 */
};

MCAST_API void mcast_tracker_opts_init(struct mcast_tracker_opts *o);

/* Allocate a tracker (all memory up front, the stream analyzers' too:
 * nothing is allocated per datagram).  Returns 0 or -ENOMEM / -EINVAL
 * (a value out of range, an unknown stream type, a malformed seq spec);
 * free with mcast_tracker_free() (NULL-safe). */
MCAST_API int mcast_tracker_new(mcast_tracker_t **tp,
				const struct mcast_tracker_opts *o);
MCAST_API void mcast_tracker_free(mcast_tracker_t *t);

/* What mcast_tracker_feed() made of a datagram. */
enum mcast_feed_result {
	MCAST_FEED_PLAIN = 0, /* not mcast-framed: counted per source */
	MCAST_FEED_DATA = 1,  /* a data probe, new */
	MCAST_FEED_DUP = 2,   /* a data probe seen before */
	MCAST_FEED_END = 3,   /* an end-of-stream marker */
	MCAST_FEED_OTHER = 4, /* ping/pong: not stream data, ignored;
			       * a sequence feed's heartbeat */
	/* Appended in 0.3 (opts.stream other than MCAST): */
	MCAST_FEED_STREAM = 5,	/* RTP, MPEG-TS or sequence-field datagram,
				 * counted (MCAST_FEED_DUP: a duplicate) */
	MCAST_FEED_PENDING = 6, /* AUTO: held while the sender's type is
				 * decided; counted once it is */
};

/*
 * Account one received datagram (payload as received, meta as filled by
 * mcast_recv_batch(); meta->dst, src, ts, ttl are used).  Returns an
 * enum mcast_feed_result, or a negative code for an mcast-framed
 * datagram that failed to decode (counted as malformed, not delivered);
 * with opts.stream RTP or RTP_TS, MCAST_EMALFORMED for a datagram that is
 * not RTP, and with SEQ, MCAST_ESHORT for one too short for its fields
 * (both counted as malformed).  Time-dependent checks (jitter, TR 101 290)
 * use meta->ts, the kernel's arrival time: feed datagrams in arrival order.
 */
MCAST_API int mcast_tracker_feed(mcast_tracker_t *t, const void *buf,
				 size_t len, const struct mcast_meta *meta);

/*
 * mcast_tracker_feed() for a caller that has decoded the datagram's header
 * already, to classify or open it: the same accounting and result, without
 * decoding it a second time on a path that may carry a million datagrams
 * a second.  decoded is what mcast_hdr_decode(h, buf, len) returned (for a
 * datagram that mcast_unseal() opened: h->hdr_len, with buf and len the
 * opened envelope): >= 0, and h is buf's header; MCAST_ENOTMCAST_MSG, a
 * plain datagram (h is not read); another negative code, a malformed one
 * (counted, and that code returned).  Returns as mcast_tracker_feed(), or
 * -EINVAL for NULL arguments or a header whose payload lies beyond len.
 */
MCAST_API int mcast_tracker_feed_hdr(mcast_tracker_t *t, const void *buf,
				     size_t len, const struct mcast_meta *meta,
				     int decoded, const struct mcast_hdr *h);

/* Counters of one sender session, or of one plain source, or totals. */
struct mcast_stream_stats {
	size_t size;			/* sizeof(struct mcast_stream_stats) */
	int is_probe;			/* 0: plain datagrams, no session */
	struct sockaddr_storage group;	/* group and port */
	struct sockaddr_storage source; /* sender address and port */
	uint8_t session[MCAST_SESSION_LEN];
	uint64_t first_seq, max_seq; /* sequence numbers seen */
	uint64_t received;	     /* distinct datagrams */
	uint64_t lost;		     /* expected - received, >= 0 */
	uint64_t late;		     /* reordered by >= 3 positions */
	uint64_t duplicates;	     /* seen before */
	uint64_t reordered;	     /* RFC 4737 Type-P-Reordered */
	uint64_t bytes;		     /* UDP payload bytes, distinct */
	uint64_t restarts;	     /* totals: sessions that replaced one
				      * from the same sender address */
	uint64_t malformed;	     /* totals: framed but undecodable */
	int ended;		     /* end-of-stream seen */
	uint64_t total_sent;	     /* from end-of-stream, when ended */
	struct timespec first, last; /* arrival times */
	int hops;		     /* sent TTL - received TTL; -1 unknown */
	double jitter_ns;	     /* RFC 3550 interarrival jitter */
	int64_t latency_min_ns, latency_max_ns; /* one-way, may be < 0 */
	uint64_t latency_p50_ns, latency_p99_ns;
	uint64_t latency_count;
	uint64_t retired;  /* totals: entries retired for space */
	uint64_t sessions; /* totals: sessions seen; with opts.stream
			    * other than MCAST every entry's (RTP SSRCs,
			    * TS, SEQ, plain sources), each once */
	uint64_t plain;	   /* totals: plain datagrams, part of received */
	/* Appended in 0.2 (header version 2, docs/PROTOCOL.md "Head"): */
	int head;	      /* enum mcast_head; totals: 0 */
	uint64_t head_missed; /* MCAST_HEAD_JOINED_LATE: probes sent before
			       * the first one received (first_seq), not
			       * counted lost; totals: the sum */
	uint64_t not_sent;    /* from end-of-stream: probes the sender could
			       * not send (part of lost); totals: the sum */
	/* Appended in 0.3: streams (docs/STREAMS.md).  For RTP, RTP_TS and
	 * SEQ entries first_seq, max_seq, received, lost, late, duplicates
	 * and reordered count sequence numbers as for probes (RTP: extended
	 * ones; SEQ with a count: messages); jitter_ns is RFC 3550's A.8 in
	 * nanoseconds from the RTP timestamps.  Totals sum the counters of
	 * every entry, retired ones included. */
	int stream;	      /* enum mcast_stream_type of this entry:
			       * MCAST (probes), UNKNOWN (plain), RTP, TS,
			       * RTP_TS, SEQ; totals: the tracker's */
	uint32_t ssrc;	      /* RTP */
	int payload_type;     /* RTP: of the latest datagram; else -1 */
	unsigned clock_rate;  /* RTP: Hz of the timestamps; 0 unknown */
	double jitter_max_ns; /* RTP: the largest A.8 estimate */
	/* MPEG-TS (TS, RTP_TS) */
	uint64_t ts_packets;	      /* 188-byte packets with a sync byte */
	uint64_t ts_lost;	      /* estimated from continuity gaps */
	uint64_t ts_cc_errors;	      /* Continuity_count_error */
	uint64_t ts_duplicates;	      /* the one repeat the standard allows */
	uint64_t ts_tei;	      /* transport_error_indicator set */
	uint64_t ts_sync_loss;	      /* TS_sync_loss */
	uint64_t ts_sync_byte_errors; /* Sync_byte_error */
	uint64_t ts_pat_errors;	      /* PAT_error */
	uint64_t ts_pmt_errors;	      /* PMT_error */
	uint64_t ts_pid_errors;	      /* PID_error */
	uint64_t ts_crc_errors;	      /* PAT/PMT sections failing CRC_32 */
	uint64_t ts_bad_length;	      /* datagrams not a multiple of 188 */
	uint64_t ts_pid_overflow;     /* packets of PIDs not tracked: the PID
				   * table (max_pids) was full */
	uint64_t ts_ref_overflow;     /* PIDs a PAT or PMT names, not tracked
				   * for the same reason */
	unsigned ts_programs;	      /* in the latest PAT */
	unsigned ts_pids; /* PIDs tracked: mcast_tracker_get_pid() */
	/* Not RTP datagrams in an RTP type, too short in SEQ: part of
	 * malformed, in totals only */
	uint64_t stream_malformed;
};

/* Zero *s and set its size to this header's, for mcast_tracker_get() and
 * mcast_tracker_totals(); NULL is ignored. */
MCAST_API void mcast_stream_stats_init(struct mcast_stream_stats *s);

/* Where a session's loss accounting starts. */
enum mcast_head {
	/* unknown (a version 1 sender, or the tracker was never told when
	 * the receiver began listening): counted from first_seq */
	MCAST_HEAD_UNKNOWN = 0,
	/* the receiver listened before the session began: from seq 0 */
	MCAST_HEAD_FROM_START = 1,
	/* it began listening after: from first_seq, head_missed = first_seq */
	MCAST_HEAD_JOINED_LATE = 2,
};

/*
 * Tell the tracker that the receiver has been listening to group (address
 * and port; port 0: any port; NULL: every group not named otherwise)
 * since `since` (CLOCK_REALTIME, the clock of mcast_meta.ts): call it right
 * after joining, and again after a rejoin.  A later call for the same
 * group replaces the time.  Sessions that begin after it count loss from
 * sequence number 0; those that began before report their missed head
 * (docs/PROTOCOL.md, "Head of a session").  Returns 0, -EINVAL (NULL t or
 * since, a group neither IPv4 nor IPv6) or -ENOMEM.
 */
MCAST_API int mcast_tracker_listening(mcast_tracker_t *t,
				      const struct sockaddr *group,
				      const struct timespec *since);

/* Number of live entries (sessions and plain sources). */
MCAST_API size_t mcast_tracker_count(const mcast_tracker_t *t);
/* Copy entry i (0 <= i < count, in order of first arrival) into *out
 * (size set: mcast_stream_stats_init()).  Returns 0, -ERANGE, or -EINVAL. */
MCAST_API int mcast_tracker_get(const mcast_tracker_t *t, size_t i,
				struct mcast_stream_stats *out);
/*
 * Let the tracker's clock move without a datagram: the time-dependent
 * checks of ETSI TR 101 290 (PAT_error and PMT_error for a table more
 * than 0.5 s overdue, PID_error for a referenced PID absent longer than
 * opts.pid_timeout_ms) run for every live MPEG-TS session at `now`,
 * which is on the clock of mcast_meta.ts (CLOCK_REALTIME, as the kernel
 * stamps arrivals).  Datagrams run them too, but only when they arrive:
 * a receiver calls this at least once a second and once before reading
 * the final counters, so that a stream that stops altogether is counted.
 * Each absence is counted once, whichever call notices it.  Sessions
 * fed without arrival times are skipped; a `now` before a session's
 * first datagram does nothing.  Nothing is allocated.  Returns 0, or
 * -EINVAL (NULL t or now, tv_nsec out of range).
 */
MCAST_API int mcast_tracker_tick(mcast_tracker_t *t,
				 const struct timespec *now);

/* Per-PID counters of an MPEG-TS session (TS or RTP_TS entries). */
enum mcast_pid_flags {
	MCAST_PID_PMT = 1 << 0,	       /* carries a program's PMT */
	MCAST_PID_PCR = 1 << 1,	       /* a program's PCR PID */
	MCAST_PID_REFERENCED = 1 << 2, /* an elementary stream of a PMT */
	MCAST_PID_SEEN = 1 << 3,       /* packets arrived (referenced PIDs
					* may have none) */
};

struct mcast_pid_stats {
	size_t size; /* mcast_pid_stats_init() sets it */
	unsigned pid;
	unsigned flags;	    /* enum mcast_pid_flags */
	int stream_type;    /* from the PMT (ISO/IEC 13818-1 table 2-34);
			       * -1 for PIDs no PMT lists */
	unsigned program;   /* program_number, for PMT and ES PIDs */
	uint64_t packets;   /* TS packets */
	uint64_t bytes;	    /* packets * 188, for the bitrate */
	uint64_t cc_errors; /* Continuity_count_error */
	uint64_t lost;	    /* estimated from continuity gaps */
	int64_t pcr_interval_max_ns; /* PCR PIDs: the longest time between
				      * two PCRs, by arrival; 0 none */
	struct timespec first, last; /* arrival times */
};

/* Zero *s and set its size to this header's, for mcast_tracker_get_pid();
 * NULL is ignored. */
MCAST_API void mcast_pid_stats_init(struct mcast_pid_stats *s);

/*
 * Copy the counters of PID pid (0..8191) of entry i into *out.  Returns
 * 0, -ENOENT when the entry has no such PID (not seen nor referenced),
 * -ERANGE for i beyond the entries, -EINVAL (NULL, pid above 8191).
 * To list an entry's PIDs, ask every pid: they come in ascending order.
 */
MCAST_API int mcast_tracker_get_pid(const mcast_tracker_t *t, size_t i,
				    unsigned pid, struct mcast_pid_stats *out);

/* Sums over every entry ever seen, retired ones included. */
MCAST_API int mcast_tracker_totals(const mcast_tracker_t *t,
				   struct mcast_stream_stats *out);
/* 1 when at least one probe session was seen and every live probe session
 * has sent its end-of-stream marker or was replaced by a newer session
 * from the same address and port (a sender that restarted without an
 * end marker); else 0.  NULL-safe (0). */
MCAST_API int mcast_tracker_all_ended(const mcast_tracker_t *t);

/* ---------------------------------------------------------------- */
/* Keys and sealed streams (docs/SECURITY.md)                       */

#define MCAST_KEY_LEN 32 /* pre-shared key, bytes */
#define MCAST_TAG_LEN 16 /* AEAD tag appended to a sealed datagram */

enum mcast_cipher {
	MCAST_CIPHER_AES256GCM = 0,
	MCAST_CIPHER_CHACHA20POLY1305 = 1,
};

typedef struct mcast_keyring mcast_keyring_t;

/*
 * Load a key file: text, one key per line "ID HEX" (ID a decimal from 1
 * to 4294967295, HEX 64 hex digits), '#' starts a comment, blank lines
 * ignored; the last key is the newest.  The file must be owned by the
 * effective user or root and not be readable by group or others.  On
 * failure err (caller's, may be NULL) says which line and what; it never
 * quotes key material.  Key bytes are held in memory excluded from core
 * dumps.  Returns 0, MCAST_EKEYPERM, MCAST_EKEYFILE, -errno.
 */
MCAST_API int mcast_keyring_load(mcast_keyring_t **kp, const char *path,
				 char *err, size_t errlen);
/*
 * The same from a file the caller opened (fd is not closed); name is used
 * in messages.  The checks - a regular file, owned by the effective user or
 * root, no group or other permission bits - are made on fd, so they hold
 * for the file actually read, and *st (may be NULL) gets that file's
 * fstat(), for noticing later that the path names another file (a key
 * rotation).  Returns as mcast_keyring_load().
 */
struct stat;
MCAST_API int mcast_keyring_load_fd(mcast_keyring_t **kp, int fd,
				    const char *name, struct stat *st,
				    char *err, size_t errlen);
/* The same from text in memory (no permission check). */
MCAST_API int mcast_keyring_parse(mcast_keyring_t **kp, const char *text,
				  size_t len, char *err, size_t errlen);
/* Number of keys, and the newest key's id. */
MCAST_API size_t mcast_keyring_count(const mcast_keyring_t *k);
MCAST_API uint32_t mcast_keyring_newest(const mcast_keyring_t *k);
MCAST_API void mcast_keyring_free(mcast_keyring_t *k);

/*
 * Add a new random key to the key file at path (created with mode 0600
 * when missing; refused with MCAST_EKEYPERM when it exists readable by
 * others), with an id one above the highest in it.  Returns the new id
 * (> 0) or a negative code; err as for mcast_keyring_load().
 */
MCAST_API long long mcast_keygen(const char *path, char *err, size_t errlen);

/*
 * Where a sealed datagram is bound (docs/SECURITY.md, "Binding"): the
 * destination it was sealed for, which the receiver must name alike to
 * open it, so a datagram captured on one group and port and replayed to
 * another is rejected.  Multicast datagrams are bound to their group and
 * port; a unicast pong to the group and port of the ping it answers; a
 * relay tunnel's datagrams to the tunnel's id.  Never bind to a unicast
 * address: NAT rewrites those on the way.  Fill it with mcast_bind_addr()
 * or mcast_bind_tunnel(); enc is what the key derivation reads: a kind
 * byte, then the address (4 or 16 bytes) and the port, or the tunnel id,
 * in network order.  len 0 is "no binding known": mcast_unseal() rejects
 * every datagram as MCAST_EUNBOUND then.
 */
#define MCAST_BIND_MAX 19 /* kind byte, 16 address bytes, 2 port bytes */

enum mcast_bind_kind {
	MCAST_BIND_IPV4 = 1,   /* 4 address bytes, 2 port bytes */
	MCAST_BIND_IPV6 = 2,   /* 16 address bytes, 2 port bytes */
	MCAST_BIND_TUNNEL = 3, /* 8 bytes of tunnel id */
};

struct mcast_bind {
	uint8_t len;		     /* bytes of enc in use; 0: none */
	uint8_t enc[MCAST_BIND_MAX]; /* kind, then its fields */
};

/* Bind to sa's address and port (AF_INET, or AF_INET6 - an IPv4-mapped
 * address binds as IPv4; the scope id is left out, as it is local to a
 * host).  Returns 0, or -EINVAL (NULL, another family; b is then empty). */
MCAST_API int mcast_bind_addr(struct mcast_bind *b, const struct sockaddr *sa);
/* Bind to a relay tunnel's id.  Returns 0, or -EINVAL for NULL. */
MCAST_API int mcast_bind_tunnel(struct mcast_bind *b, uint64_t id);

typedef struct mcast_sealer mcast_sealer_t;

/*
 * A sender's sealing state, using the keyring's newest key.  Each
 * (session, message type, binding) gets its own key, derived with
 * HKDF-SHA256 from the pre-shared key, the 128-bit session id of the
 * header and the binding, and the sequence number is the nonce, so
 * nonces never repeat under one key.
 * auth_only: authenticate without encrypting.  The keyring must outlive
 * the sealer.  Returns 0, -EINVAL, -ENOMEM, or MCAST_EKEYFILE (empty).
 */
MCAST_API int mcast_sealer_new(mcast_sealer_t **sp, const mcast_keyring_t *k,
			       enum mcast_cipher cipher, int auth_only);
MCAST_API void mcast_sealer_free(mcast_sealer_t *s);

/*
 * Seal the unsealed envelope in buf (len bytes: a version 2 header with
 * key_id 0, then payload_len bytes) in place, bound to `to` (where it will
 * be sent): sets key_id and the cipher flags, encrypts the payload (unless
 * auth-only) with the header as associated data, and appends the tag.
 * Returns the new length (len + MCAST_TAG_LEN), or -ENOSPC (cap too
 * small), MCAST_EWRAP (a sequence number not above the last one sealed for
 * that session, type and binding, which would reuse a nonce), a decode
 * error of the envelope, MCAST_EVERSION (a version 1 header: only version
 * 2 datagrams are sealed, and bound), or -EINVAL when key_id is not 0 (sealed
 * already) or `to` is NULL or empty.  The last sequence number is
 * remembered for the 16 (session, type, binding) triples used most
 * recently; a sender must never reuse a session id with another sealer
 * (draw one with mcast_session_new()).
 */
MCAST_API int mcast_seal(mcast_sealer_t *s, const struct mcast_bind *to,
			 void *buf, size_t len, size_t cap);

typedef struct mcast_opener mcast_opener_t;

struct mcast_opener_opts {
	size_t size; /* sizeof(struct mcast_opener_opts) */
	/* sequence numbers of each stream's window, 64..65536 (rounded up to
	 * a multiple of 64), default 1024 */
	unsigned replay_window;
	/* streams remembered, 1..65536, default 1024: a stream is one
	 * (key id, session, message type, cipher, binding), so a sender's data and
	 * end messages are two; the least recently accepted is forgotten,
	 * and a replay of a forgotten stream is caught only by max_age */
	unsigned max_sessions;
	double max_age; /* seconds; 0: no freshness check; default 30 */
	/* what a datagram must be sealed with (enum mcast_require); others
	 * are rejected as wrong_cipher before any cryptography is done */
	int require;
};

/* Values of struct mcast_opener_opts.require. */
enum mcast_require {
	MCAST_REQUIRE_SEALED = 0,    /* any cipher, auth-only too (default) */
	MCAST_REQUIRE_ENCRYPTED = 1, /* either cipher, payload encrypted */
	MCAST_REQUIRE_AES256GCM = 2, /* AES-256-GCM, encrypted */
	MCAST_REQUIRE_CHACHA20POLY1305 = 3, /* ChaCha20-Poly1305, encrypted */
};

MCAST_API void mcast_opener_opts_init(struct mcast_opener_opts *o);

/* A receiver's unsealing state: replay windows and the sessions seen,
 * bounded.  The keyring must outlive it. */
MCAST_API int mcast_opener_new(mcast_opener_t **op, const mcast_keyring_t *k,
			       const struct mcast_opener_opts *o);
MCAST_API void mcast_opener_free(mcast_opener_t *o);

/*
 * Use a reloaded keyring from now on (key rotation), keeping the replay
 * windows and the sessions seen.  An id must keep its key across reloads
 * (mcast_keygen() never reuses one): streams already seen under an id
 * keep the key derived for them.  The previous keyring may be freed once
 * this returns.  Returns 0, or -EINVAL for NULL arguments.
 */
MCAST_API int mcast_opener_set_keyring(mcast_opener_t *o,
				       const mcast_keyring_t *k);

/*
 * Verify and open a sealed datagram in place.  `to` is where it arrived:
 * the group and port it was sent to (IP_PKTINFO's destination, the
 * socket's port), or what the sealer bound it to otherwise (see struct
 * mcast_bind); a datagram sealed for anywhere else fails its tag.  now is
 * the receiver's CLOCK_REALTIME (for the freshness check).  On success the buffer holds
 * the plaintext envelope (its header still names the key id) and the
 * return value is its length; the replay window moves only then.  A
 * rejected datagram is counted by reason and returns MCAST_EBADTAG,
 * MCAST_EUNKNOWNKEY, MCAST_EREPLAY, MCAST_ESTALE, MCAST_EUNSEALED (no key
 * id), MCAST_EUNBOUND (a version 1 header, which no binding covers, or an
 * empty `to`), MCAST_ECIPHER (auth-only or another cipher than opts.require
 * asks for), MCAST_EMALFORMED, MCAST_ESHORT, MCAST_EVERSION or
 * MCAST_ENOTMCAST_MSG; its payload must not be used (after
 * MCAST_EBADTAG an encrypted payload is zeroed).  h (may be NULL) gets the
 * header on success only.  now may be NULL when max_age is 0.  -EINVAL
 * for NULL arguments (`to` too) or a binding of an unknown kind, -EIO if
 * libcrypto fails.
 */
MCAST_API int mcast_unseal(mcast_opener_t *o, const struct mcast_bind *to,
			   void *buf, size_t len, const struct timespec *now,
			   struct mcast_hdr *h);

struct mcast_rejects {
	size_t size; /* sizeof(struct mcast_rejects) */
	uint64_t bad_tag, unknown_key, replayed, stale, unsealed;
	uint64_t malformed, too_short, wrong_version, not_mcast;
	uint64_t accepted;
	uint64_t wrong_cipher; /* not as opts.require asks: MCAST_ECIPHER */
	uint64_t unbound;      /* MCAST_EUNBOUND: no destination binding */
	/* verified, but the replay state file could not be written first
	 * (mcast_opener_persist()): -errno, see mcast_opener_errmsg() */
	uint64_t unsaved;
};

/* Zero *r and set its size to this header's; NULL is ignored. */
MCAST_API void mcast_rejects_init(struct mcast_rejects *r);

/* Counters of what mcast_unseal() accepted and rejected, by reason. */
MCAST_API int mcast_opener_rejects(const mcast_opener_t *o,
				   struct mcast_rejects *r);

/*
 * Replay state across restarts (docs/SECURITY.md, "Restarting a
 * receiver"; the file format is in docs/PROTOCOL.md).  A new opener
 * remembers nothing, so datagrams captured before a restart would be
 * accepted again within max_age.  With a state file, the opener keeps per
 * stream its id, the highest sequence number accepted and its window
 * bits - never a key: keys are derived again when a restored stream's
 * next datagram verifies.
 *
 * The file is written ahead of what it covers: each save reserves, per
 * stream, sequence numbers a little above the highest accepted (about
 * twice what the stream took since the previous save, at least 16), and
 * mcast_unseal() writes the file again before it accepts a datagram above
 * its stream's reservation or of a stream the file does not hold.  So
 * whenever the process dies, the file on disk covers every datagram
 * accepted, and a restored opener refuses everything up to each stream's
 * reservation.  After a final save (at exit) the file is exact and
 * nothing is reserved.  A stream the opener forgot (more than
 * max_sessions) is not in the file: its replays are caught by max_age
 * only.
 */

/*
 * Keep o's replay state in the file at path, restoring it first when the
 * file exists (a missing file is a first start), then writing it at once
 * so that an unwritable place fails here.  o must not have accepted
 * anything yet.  The file must be a regular file (not a symbolic link:
 * it is replaced by rename), owned by the effective user or root, with
 * no group or other permission bits, as key files; it is written as a
 * temporary file beside it (mode 0600), synced, renamed over it, and the
 * directory synced.  path is copied.  Returns the number of streams
 * restored (>= 0), or MCAST_ESTATE (corrupt, truncated, not a state
 * file, or of a newer format: never overwritten), MCAST_EKEYPERM (owner
 * or mode), -EBUSY (o has streams already or a file), -EINVAL, -ENOMEM,
 * -errno; mcast_opener_errmsg() says what and where.  On failure o keeps
 * no state and no file.
 */
MCAST_API int mcast_opener_persist(mcast_opener_t *o, const char *path);

/*
 * Write o's state file now: call it periodically (every second, say) so
 * that reservations follow each stream's rate and mcast_unseal() seldom
 * has to write, and with final = 1 when o will open nothing more (at
 * exit), which writes the exact state and reserves nothing.  A periodic
 * save with nothing accepted since the last one writes nothing.  Returns
 * 0, -EINVAL (no state file: mcast_opener_persist() first), -errno
 * (mcast_opener_errmsg()); the file on disk is then the previous one,
 * which still covers every datagram accepted.
 */
MCAST_API int mcast_opener_save(mcast_opener_t *o, int final);

/*
 * Restore o's replay state from len bytes of a state file that the caller
 * read (mcast_opener_persist() reads and then keeps a file itself), with
 * no file kept afterwards.  o must not have accepted anything yet.  Returns the number of streams
 * restored, or MCAST_ESTATE, -EBUSY, -EINVAL, -ENOMEM; on failure o
 * remembers no stream.
 */
MCAST_API int mcast_opener_restore(mcast_opener_t *o, const void *buf,
				   size_t len);

/* What the last failed call on o's state file did wrong: persist, save,
 * restore, or an unseal refused as unsaved ("" when none failed); never
 * NULL, valid until the next call on o. */
MCAST_API const char *mcast_opener_errmsg(const mcast_opener_t *o);

#ifdef __cplusplus
}
#endif

#endif /* MCAST_H */

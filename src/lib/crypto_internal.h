/* SPDX-License-Identifier: MIT */
/* Internal declarations of keys.c, seal.c and replay.c; never installed. */
#ifndef MC_CRYPTO_INTERNAL_H
#define MC_CRYPTO_INTERNAL_H

#include "mc_internal.h"
#include "wire_internal.h"

#include <sys/stat.h>

/* Largest key file read or parsed, bytes. */
#define MC_KEYFILE_MAX 65536

/* Bounds of struct mcast_opener_opts. */
#define MC_REPLAY_DEFAULT  1024
#define MC_REPLAY_MIN	   64
#define MC_REPLAY_MAX	   65536
#define MC_STREAMS_DEFAULT 1024
#define MC_STREAMS_MAX	   65536

struct mc_keyent {
	uint32_t id;
	uint8_t key[MCAST_KEY_LEN];
	uint8_t prk[MCAST_KEY_LEN]; /* HKDF-Extract of key (derive.c) */
};

struct mcast_keyring {
	struct mc_keyent *keys; /* sorted by id, no duplicates; secret memory */
	size_t n, cap;		/* keys used, keys allocated */
	uint32_t newest;	/* id of the file's last key */
};

/* keys.c: zeroed memory for key bytes, kept out of core dumps
 * (MADV_DONTDUMP), wiped by mc_secret_free(); NULL when short. */
void *mc_secret_alloc(size_t n);
void mc_secret_free(void *p, size_t n);

/* keys.c: a message for the caller's err buffer of errlen bytes (none
 * when err is NULL or errlen 0): the key file and state file loaders. */
__attribute__((format(printf, 3, 4))) void mc_errf(char *err, size_t errlen,
						   const char *fmt, ...);

/* keys.c: the key of that id, or NULL. */
const struct mc_keyent *mc_keyring_find(const struct mcast_keyring *k,
					uint32_t id);

/* keys.c: fd must be a regular file owned by us or root, without group or
 * other bits (key and replay state files); *st gets its fstat().  Returns
 * 0, MCAST_EKEYFILE (not a regular file), MCAST_EKEYPERM, -errno; err
 * names path and says what to run. */
int mc_check_keyfile(int fd, const char *path, struct stat *st, char *err,
		     size_t errlen);
/* keys.c: write all of buf; 0 or -errno. */
int mc_write_all(int fd, const char *buf, size_t len);

/*
 * A stream is what has one derived key and one sequence space: (key id,
 * session, type, cipher, binding).  Fixed size, all bytes defined (unused
 * bind bytes and pad are zero), so ids compare and hash with memcmp and
 * can be stored as they are.
 */
struct mc_stream_id {
	uint8_t session[MCAST_SESSION_LEN];
	uint32_t key_id;
	uint8_t type;
	uint8_t cipher;
	uint8_t bind_len;	      /* bytes of bind in use */
	uint8_t bind[MCAST_BIND_MAX]; /* struct mcast_bind's enc */
	uint8_t pad[6];
};
_Static_assert(sizeof(struct mc_stream_id) == 48,
	       "the hash reads stream ids in 8-byte words");

/* derive.c: HKDF-Extract of a pre-shared key, at keyring load. */
int mc_prk(const uint8_t key[MCAST_KEY_LEN], uint8_t prk[MCAST_KEY_LEN]);

/* derive.c: 0 for a binding of a known kind and its length,
 * MCAST_EUNBOUND for an empty one, -EINVAL otherwise. */
int mc_bind_check(const struct mcast_bind *b);
/* The id of the stream a header (key_id set) belongs to. */
void mc_stream_id_set(struct mc_stream_id *id, const struct mcast_hdr *h,
		      uint8_t cipher, const struct mcast_bind *b);

/* derive.c: stream keys, HMAC-SHA256 under a key's PRK; the context stays
 * keyed with the last key id used (0: none).  Forget it when ids may
 * name other keys (a new keyring). */
struct mc_kdf {
	struct evp_mac_ctx_st *mac;
	uint32_t key_id;
};
int mc_kdf_init(struct mc_kdf *k);
void mc_kdf_free(struct mc_kdf *k);
static inline void mc_kdf_forget(struct mc_kdf *k)
{
	k->key_id = 0;
}
int mc_kdf_stream_key(struct mc_kdf *k, const struct mc_keyent *key,
		      const struct mc_stream_id *id,
		      uint8_t out[MCAST_KEY_LEN]);

/* aead.c: a cipher context and the generation of the key it holds (0:
 * none); generations are handed out by seal.c, one per derived key. */
struct mc_aead {
	struct evp_cipher_ctx_st *ctx;
	uint64_t gen;
};
/* A context with its cipher chosen, ready to be keyed per call; NULL when
 * short of memory. */
struct evp_cipher_ctx_st *mc_cipher_ctx(enum mcast_cipher c);
/*
 * Seal (enc 1) or open (enc 0) in place under key, whose generation is
 * gen: buf holds hdr_len header bytes and plen payload bytes; tag is where
 * the tag goes (sealing) or is (opening).  Returns 0, MCAST_EBADTAG, or
 * -EIO when libcrypto fails.
 */
int mc_aead(struct mc_aead *a, int enc, const uint8_t key[MCAST_KEY_LEN],
	    uint64_t gen, uint64_t seq, uint8_t *buf, size_t hdr_len,
	    size_t plen, bool auth_only, uint8_t *tag);

/*
 * replay.c: the opener's memory of streams.  Each entry keeps its derived
 * key, the generation that names that key (seal.c: which key a cipher
 * context holds) and an RFC 4303 window.
 */
#define MC_STREAM_NONE UINT32_MAX

struct mc_stream {
	struct mc_stream_id id;
	uint32_t hash;
	uint32_t chain;	     /* next entry of the same hash bucket */
	uint32_t prev, next; /* LRU list, most recent first */
	uint64_t top;	     /* highest sequence number accepted */
	uint64_t gen;	     /* seal.c's name for key; 0 until it sets one */
	/* With a state file (replay_state.c): the file on disk covers
	 * sequence numbers up to limit; at_save is top when last saved. */
	uint64_t limit, at_save;
	bool keyed; /* false: restored, key derived at its next datagram */
	uint8_t key[MCAST_KEY_LEN];
};

struct mc_streams {
	struct mc_stream *slab;
	uint64_t *bits; /* cap windows of words words each */
	uint32_t *buckets;
	uint32_t cap, used, mask;
	uint32_t words;	 /* per window */
	uint64_t window; /* bits per window, a multiple of 64 */
	uint32_t head, tail;
	uint64_t seed;
	uint64_t evicted;
	struct mc_state *state; /* replay_state.c; NULL: none */
};

int mc_streams_init(struct mc_streams *s, unsigned max, unsigned window);
void mc_streams_free(struct mc_streams *s);
uint32_t mc_streams_find(const struct mc_streams *s,
			 const struct mc_stream_id *id);
/* True when seq of stream i was accepted before or is older than its
 * window: the cheap check before the AEAD. */
bool mc_streams_replayed(const struct mc_streams *s, uint32_t i, uint64_t seq);
/* Mark seq of stream i accepted (moving its window) and make it the most
 * recently used. */
void mc_streams_accept(struct mc_streams *s, uint32_t i, uint64_t seq);
/* A new stream whose first accepted datagram is seq; evicts the least
 * recently used one when full.  Returns its index. */
uint32_t mc_streams_add(struct mc_streams *s, const struct mc_stream_id *id,
			const uint8_t key[MCAST_KEY_LEN], uint64_t seq);
/* Give restored stream i the key derived for it. */
void mc_streams_set_key(struct mc_streams *s, uint32_t i,
			const uint8_t key[MCAST_KEY_LEN]);
/* A stream read from a state file, without a key, made the most recently
 * used (evicting as mc_streams_add()): top and fbits, a saved window of
 * fwindow bits where bit k (LSB first in each byte) stands for top - k.
 * limit > top: everything up to limit counts as accepted.  Numbers the
 * saved window did not cover count as accepted too, so a window of
 * another size never accepts what the saved one refused. */
uint32_t mc_streams_restore(struct mc_streams *s, const struct mc_stream_id *id,
			    uint64_t top, uint64_t limit, const uint8_t *fbits,
			    uint64_t fwindow);
/* Forget every stream (a failed restore). */
void mc_streams_clear(struct mc_streams *s);

/*
 * replay_state.c: the state file of an opener's streams.  The reserve
 * margin of a new stream: the file covers seq..seq + this.
 */
#define MC_STATE_MARGIN_MIN 16
/* Restore from a state file's bytes; streams restored or a negative code,
 * with err saying why. */
int mc_state_parse(struct mc_streams *s, const uint8_t *p, size_t len,
		   char *err, size_t errlen);
/* Restore from path when it exists, then keep s in it. */
int mc_state_persist(struct mc_streams *s, const char *path, char *err,
		     size_t errlen);
/* Write the file now; accepted: the opener's count, to skip idle saves. */
int mc_state_save(struct mc_streams *s, bool final, uint64_t accepted,
		  char *err, size_t errlen);
/* Before accepting seq of stream i (MC_STREAM_NONE: a new stream id):
 * write the file first when it does not cover seq yet. */
int mc_state_reserve(struct mc_streams *s, uint32_t i,
		     const struct mc_stream_id *id, uint64_t seq, char *err,
		     size_t errlen);
void mc_state_free(struct mc_state *st);

#endif /* MC_CRYPTO_INTERNAL_H */

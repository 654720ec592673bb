/* SPDX-License-Identifier: MIT */
/*
 * Sealed streams: authenticated (and by default encrypted) mcast datagrams
 * under a pre-shared key (docs/SECURITY.md).  All cryptography is
 * libcrypto's (EVP); this file only decides what goes in.
 *
 * Construction, for a datagram of key id K, session S, type T, cipher C
 * (0 AES-256-GCM, 1 ChaCha20-Poly1305), binding B (struct mcast_bind:
 * the destination group and port, or a tunnel id) and sequence number N:
 *
 *   key   = HKDF-SHA256 of K for the stream (K, S, T, C, B): derive.c
 *   nonce = 00 00 00 00 || N (8 bytes BE)
 *   AAD   = the header as sealed (key_id = K, the MCAST_HDR_CHACHA and
 *           MCAST_HDR_AUTH_ONLY flags set, payload_len = plaintext
 *           length): hdr_len bytes, 56 or more (version 2 only)
 *   wire  = header || AEAD(payload) || 16-byte tag
 *
 * Auth-only (MCAST_HDR_AUTH_ONLY): the payload stays clear and joins the
 * AAD (AAD = header || payload), the tag covers an empty ciphertext.  The
 * wire length is hdr_len + payload_len + 16.
 *
 * Why each part:
 *  - One key per stream: a sequence number is unique within a (session,
 *    type) - data, end, ping and pong count separately - so N alone is a
 *    unique nonce under each derived key.  Sessions are random 128-bit
 *    ids, so two senders sharing a pre-shared key never share a derived
 *    key: after n sessions under one key the chance that any two drew the
 *    same id is about n^2 / 2^129 (2^-65 after 2^32 sessions), where a
 *    32-bit id would collide after about 2^16.
 *  - The binding is in the key: a datagram replayed to another group or
 *    port does not verify there, and one session sealing for two groups
 *    uses two keys, so the same N twice is no nonce reuse.  It is not on
 *    the wire; each side names it (the receiver from IP_PKTINFO).
 *    Version 1 headers predate bindings: sealed ones are refused.
 *  - The sealer refuses (MCAST_EWRAP) a sequence number not strictly
 *    above the last one it sealed for that stream, and UINT64_MAX, so a
 *    caller that restarts its counter cannot reuse a nonce.  It remembers
 *    MC_SEAL_SLOTS streams; one pushed out (a 17th) and used again is no
 *    longer checked, which a sender with one session per group never
 *    meets below eight groups.
 *  - Everything the receiver acts on is authenticated: the whole header
 *    is AAD, and the type, cipher and key id are also bound into the key.
 *
 * Cost.  Derived keys are kept (sealer: per stream; opener: with each
 * stream's replay window), so derivation runs once per stream.  Each
 * cipher context remembers which key it holds by a generation number
 * given to every derived key, never by comparing key bytes: a datagram
 * under the key its context holds sets only the nonce, since re-keying
 * (the AES key schedule and GHASH table, or ChaCha's setup) costs about
 * as much as sealing 200 bytes.  The opener has two contexts per cipher:
 * "live" holds the key of the last stream that opened, and only a datagram
 * that opened ever puts a key there; a datagram of any other stream -
 * a new session, which is what a forgery names - is tried in "trial",
 * and when it opens the two swap.  So a flood of forgeries never re-keys
 * the context of the stream they flood beside.  Keys derived for streams
 * not yet accepted go to a small cache (MC_KEY_CACHE, replaced in turn),
 * so a forger repeating one new session does not make the receiver derive
 * again, and cannot push out the keys of accepted streams, which live in
 * the replay table.  No allocation on the datagram path once a stream is
 * known (test_seal.c counts libcrypto's allocations); deriving a new
 * stream's key costs OpenSSL 3.0's HMAC two small ones (derive.c).
 *
 * The opener checks, in this order, cheapest and least trusting first:
 * decode the header; key id 0 (MCAST_EUNSEALED); a version 1 header or no
 * binding (MCAST_EUNBOUND); the cipher required (MCAST_ECIPHER); key id
 * not in the keyring (MCAST_EUNKNOWNKEY); room for the tag (MCAST_ESHORT),
 * nothing after it (MCAST_EMALFORMED); replay window (MCAST_EREPLAY,
 * before the AEAD because it is cheap); the tag (MCAST_EBADTAG);
 * freshness, |now - send_ns| > max_age (MCAST_ESTALE, after the tag,
 * since send_ns is only trustworthy once authenticated); and only then
 * moves the window.  Streams are remembered in a bounded table
 * (replay.c); a stream pushed out of it and then replayed is caught only
 * by freshness.
 */
#include "crypto_internal.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define MC_SEAL_SLOTS 16
#define MC_KEY_CACHE  8

struct mc_seal_slot {
	struct mc_stream_id id;
	bool used;
	bool sealed;	/* last is valid */
	uint64_t last;	/* highest sequence number sealed */
	uint64_t stamp; /* last use, for replacement */
	uint64_t gen;	/* names key for struct mc_aead */
	uint8_t key[MCAST_KEY_LEN];
};

struct mcast_sealer {
	const struct mc_keyent *key;
	enum mcast_cipher cipher;
	bool auth_only;
	struct mc_aead aead;
	struct mc_kdf kdf;
	uint64_t clock, gens;
	struct mc_seal_slot slots[MC_SEAL_SLOTS];
};

/* A key derived for a stream that has not opened a datagram (yet). */
struct mc_cached_key {
	struct mc_stream_id id;
	bool used;
	uint64_t gen;
	uint8_t key[MCAST_KEY_LEN];
};

struct mcast_opener {
	const struct mcast_keyring *keys;
	/* by enum mcast_cipher: the last stream that opened, and the rest */
	struct mc_aead live[2], trial[2];
	struct mc_kdf kdf;
	uint64_t gens;	     /* generations handed out */
	uint64_t max_age_ns; /* 0: no freshness check */
	int require;	     /* enum mcast_require */
	struct mc_streams streams;
	struct mcast_rejects rej;
	struct mc_cached_key cache[MC_KEY_CACHE];
	unsigned hand; /* the cache entry replaced next */
	char errmsg[MCAST_ERRMSG_MAX];
};

/* ---------------------------------------------------------------- */
/* Sealer                                                           */

int mcast_sealer_new(mcast_sealer_t **sp, const mcast_keyring_t *k,
		     enum mcast_cipher cipher, int auth_only)
{
	struct mcast_sealer *s;

	if (!sp)
		return -EINVAL;
	*sp = NULL;
	if (!k || (cipher != MCAST_CIPHER_AES256GCM &&
		   cipher != MCAST_CIPHER_CHACHA20POLY1305))
		return -EINVAL;
	if (k->n == 0)
		return MCAST_EKEYFILE;
	/* It caches derived keys: out of core dumps. */
	s = mc_secret_alloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->key = mc_keyring_find(k, k->newest);
	s->cipher = cipher;
	s->auth_only = auth_only != 0;
	s->aead.ctx = mc_cipher_ctx(cipher);
	if (!s->key || !s->aead.ctx || mc_kdf_init(&s->kdf) < 0) {
		mcast_sealer_free(s);
		return -ENOMEM;
	}
	*sp = s;
	return 0;
}

void mcast_sealer_free(mcast_sealer_t *s)
{
	if (!s)
		return;
	EVP_CIPHER_CTX_free(s->aead.ctx);
	mc_kdf_free(&s->kdf);
	mc_secret_free(s, sizeof(*s));
}

/* The slot of stream id, derived on first use; a new stream takes a free
 * slot or the least recently used one.  NULL when derivation fails. */
static struct mc_seal_slot *mc_seal_slot(struct mcast_sealer *s,
					 const struct mc_stream_id *id)
{
	struct mc_seal_slot *slot = NULL;

	for (int i = 0; i < MC_SEAL_SLOTS; i++) {
		struct mc_seal_slot *t = &s->slots[i];

		if (t->used && memcmp(&t->id, id, sizeof(*id)) == 0) {
			t->stamp = ++s->clock;
			return t;
		}
		if (!slot ||
		    (slot->used && (!t->used || t->stamp < slot->stamp)))
			slot = t;
	}
	if (mc_kdf_stream_key(&s->kdf, s->key, id, slot->key) < 0) {
		OPENSSL_cleanse(slot, sizeof(*slot));
		return NULL;
	}
	slot->id = *id;
	slot->gen = ++s->gens;
	slot->used = true;
	slot->sealed = false;
	slot->last = 0;
	slot->stamp = ++s->clock;
	return slot;
}

int mcast_seal(mcast_sealer_t *s, const struct mcast_bind *to, void *buf,
	       size_t len, size_t cap)
{
	uint8_t *p = buf, saved[6];
	struct mc_seal_slot *slot;
	struct mc_stream_id id;
	struct mcast_hdr h;
	uint16_t flags;
	int rc;

	if (!s || !buf || mc_bind_check(to) != 0)
		return -EINVAL;
	rc = mcast_hdr_decode(&h, buf, len);
	if (rc < 0)
		return rc;
	if (h.key_id != 0)
		return -EINVAL; /* sealed already */
	if (h.version < 2)
		return MCAST_EVERSION; /* openers refuse it: unbound */
	/* With key_id 0 the decoder has checked len == hdr_len + payload. */
	if (cap < len + MCAST_TAG_LEN || len + MCAST_TAG_LEN > INT_MAX)
		return -ENOSPC;
	if (h.seq == UINT64_MAX)
		return MCAST_EWRAP;
	h.key_id = s->key->id;
	mc_stream_id_set(&id, &h, (uint8_t)s->cipher, to);
	slot = mc_seal_slot(s, &id);
	if (!slot)
		return -EIO;
	if (slot->sealed && h.seq <= slot->last)
		return MCAST_EWRAP;

	memcpy(saved, p + MC_HDR_OFF_FLAGS, sizeof(saved));
	flags = (uint16_t)(h.flags & ~(MCAST_HDR_AUTH_ONLY | MCAST_HDR_CHACHA));
	if (s->auth_only)
		flags |= MCAST_HDR_AUTH_ONLY;
	if (s->cipher == MCAST_CIPHER_CHACHA20POLY1305)
		flags |= MCAST_HDR_CHACHA;
	mc_put16(p + MC_HDR_OFF_FLAGS, flags);
	mc_put32(p + MC_HDR_OFF_KEY_ID, s->key->id);
	rc = mc_aead(&s->aead, 1, slot->key, slot->gen, h.seq, p, h.hdr_len,
		     h.payload_len, s->auth_only, p + len);
	if (rc < 0) {
		memcpy(p + MC_HDR_OFF_FLAGS, saved, sizeof(saved));
		return rc;
	}
	slot->sealed = true;
	slot->last = h.seq;
	return (int)(len + MCAST_TAG_LEN);
}

/* ---------------------------------------------------------------- */
/* Opener                                                           */

void mcast_opener_opts_init(struct mcast_opener_opts *o)
{
	if (!o)
		return;
	*o = (struct mcast_opener_opts){
		.size = sizeof(*o),
		.replay_window = MC_REPLAY_DEFAULT,
		.max_sessions = MC_STREAMS_DEFAULT,
		.max_age = 30,
	};
}

/* Does a datagram sealed with these header flags meet require? */
static bool mc_required(int require, uint16_t flags)
{
	bool chacha = flags & MCAST_HDR_CHACHA;

	if (require == MCAST_REQUIRE_SEALED)
		return true;
	if (flags & MCAST_HDR_AUTH_ONLY)
		return false;
	return require == MCAST_REQUIRE_ENCRYPTED ||
	       (require == MCAST_REQUIRE_CHACHA20POLY1305) == chacha;
}

int mcast_opener_new(mcast_opener_t **op, const mcast_keyring_t *k,
		     const struct mcast_opener_opts *o)
{
	struct mcast_opener_opts d;
	struct mcast_opener *m;

	if (!op)
		return -EINVAL;
	*op = NULL;
	if (!k)
		return -EINVAL;
	mcast_opener_opts_init(&d);
	if (o) {
		if (o->size < sizeof(o->size))
			return -EINVAL;
		if (MC_HAS(o, replay_window))
			d.replay_window = o->replay_window;
		if (MC_HAS(o, max_sessions))
			d.max_sessions = o->max_sessions;
		if (MC_HAS(o, max_age))
			d.max_age = o->max_age;
		if (MC_HAS(o, require))
			d.require = o->require;
	}
	if (d.replay_window < MC_REPLAY_MIN ||
	    d.replay_window > MC_REPLAY_MAX || d.max_sessions < 1 ||
	    d.max_sessions > MC_STREAMS_MAX || !(d.max_age >= 0) ||
	    isinf(d.max_age) || d.require < MCAST_REQUIRE_SEALED ||
	    d.require > MCAST_REQUIRE_CHACHA20POLY1305)
		return -EINVAL;
	m = mc_secret_alloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->keys = k;
	m->require = d.require;
	/* Below 1 ns would round to 0, which turns the check off. */
	if (d.max_age >= 1.8e10)
		m->max_age_ns = UINT64_MAX;
	else if (d.max_age > 0)
		m->max_age_ns = (uint64_t)(d.max_age * 1e9);
	if (d.max_age > 0 && m->max_age_ns == 0)
		m->max_age_ns = 1;
	m->rej.size = sizeof(m->rej);
	for (int c = 0; c < 2; c++) {
		m->live[c].ctx = mc_cipher_ctx((enum mcast_cipher)c);
		m->trial[c].ctx = mc_cipher_ctx((enum mcast_cipher)c);
	}
	if (!m->live[0].ctx || !m->live[1].ctx || !m->trial[0].ctx ||
	    !m->trial[1].ctx || mc_kdf_init(&m->kdf) < 0 ||
	    mc_streams_init(&m->streams, d.max_sessions, d.replay_window) < 0) {
		mcast_opener_free(m);
		return -ENOMEM;
	}
	*op = m;
	return 0;
}

void mcast_opener_free(mcast_opener_t *o)
{
	if (!o)
		return;
	for (int c = 0; c < 2; c++) {
		EVP_CIPHER_CTX_free(o->live[c].ctx);
		EVP_CIPHER_CTX_free(o->trial[c].ctx);
	}
	mc_kdf_free(&o->kdf);
	mc_streams_free(&o->streams);
	mc_secret_free(o, sizeof(*o));
}

int mcast_opener_set_keyring(mcast_opener_t *o, const mcast_keyring_t *k)
{
	if (!o || !k)
		return -EINVAL;
	o->keys = k;
	/* Accepted streams keep their keys; keys of the old ring that were
	 * only tried are forgotten with it. */
	mc_kdf_forget(&o->kdf);
	OPENSSL_cleanse(o->cache, sizeof(o->cache));
	return 0;
}

/* Count a decode failure under its reason. */
static int mc_reject_decode(struct mcast_opener *o, int rc)
{
	switch (rc) {
	case MCAST_ENOTMCAST_MSG:
		o->rej.not_mcast++;
		break;
	case MCAST_ESHORT:
		o->rej.too_short++;
		break;
	case MCAST_EVERSION:
		o->rej.wrong_version++;
		break;
	default:
		o->rej.malformed++;
		break;
	}
	return rc;
}

/* |now - send_ns| in nanoseconds, saturating. */
static uint64_t mc_age_ns(const struct timespec *now, uint64_t send_ns)
{
	uint64_t now_ns;

	if (now->tv_sec < 0)
		now_ns = 0;
	else if ((uint64_t)now->tv_sec >= UINT64_MAX / 1000000000u)
		now_ns = UINT64_MAX;
	else
		now_ns = (uint64_t)now->tv_sec * 1000000000u +
			 (uint64_t)(now->tv_nsec > 0 ? now->tv_nsec : 0);
	return now_ns > send_ns ? now_ns - send_ns : send_ns - now_ns;
}

/* The key of a stream not (yet) accepted: from the cache, or derived
 * into the entry whose turn it is.  NULL when derivation fails. */
static struct mc_cached_key *mc_key_for(struct mcast_opener *o,
					const struct mc_keyent *k,
					const struct mc_stream_id *id)
{
	struct mc_cached_key *c;

	for (unsigned j = 0; j < MC_KEY_CACHE; j++) {
		c = &o->cache[j];
		if (c->used && memcmp(&c->id, id, sizeof(*id)) == 0)
			return c;
	}
	c = &o->cache[o->hand++ % MC_KEY_CACHE];
	c->used = false;
	if (mc_kdf_stream_key(&o->kdf, k, id, c->key) < 0) {
		OPENSSL_cleanse(c, sizeof(*c));
		return NULL;
	}
	c->id = *id;
	c->gen = ++o->gens;
	c->used = true;
	return c;
}

int mcast_unseal(mcast_opener_t *o, const struct mcast_bind *to, void *buf,
		 size_t len, const struct timespec *now, struct mcast_hdr *hout)
{
	const struct mc_keyent *key;
	struct mc_cached_key *c = NULL;
	struct mc_stream_id id;
	struct mc_aead *a;
	const uint8_t *dkey;
	struct mcast_hdr h;
	uint8_t *p = buf;
	uint64_t gen;
	uint32_t i;
	size_t end;
	int rc, bound;

	if (!o || !buf || (!now && o->max_age_ns))
		return -EINVAL;
	bound = mc_bind_check(to);
	if (bound == -EINVAL)
		return -EINVAL;
	rc = mcast_hdr_decode(&h, buf, len);
	if (rc < 0)
		return mc_reject_decode(o, rc);
	if (h.key_id == 0) {
		o->rej.unsealed++;
		return MCAST_EUNSEALED;
	}
	/* Version 1 senders sealed without a binding: such a datagram could
	 * be replayed to any group. */
	if (h.version < 2 || bound < 0) {
		o->rej.unbound++;
		return MCAST_EUNBOUND;
	}
	/* The flags are associated data: a datagram whose flags were changed
	 * to pass this check would fail its tag, so checking them before
	 * the AEAD only spares the work. */
	if (!mc_required(o->require, h.flags)) {
		o->rej.wrong_cipher++;
		return MCAST_ECIPHER;
	}
	key = mc_keyring_find(o->keys, h.key_id);
	if (!key) {
		o->rej.unknown_key++;
		return MCAST_EUNKNOWNKEY;
	}
	end = (size_t)h.hdr_len + h.payload_len;
	if (len < end + MCAST_TAG_LEN) {
		o->rej.too_short++;
		return MCAST_ESHORT;
	}
	if (len > end + MCAST_TAG_LEN) {
		o->rej.malformed++;
		return MCAST_EMALFORMED;
	}

	mc_stream_id_set(&id, &h,
			 h.flags & MCAST_HDR_CHACHA
				 ? MCAST_CIPHER_CHACHA20POLY1305
				 : MCAST_CIPHER_AES256GCM,
			 to);
	i = mc_streams_find(&o->streams, &id);
	if (i != MC_STREAM_NONE && mc_streams_replayed(&o->streams, i, h.seq)) {
		o->rej.replayed++;
		return MCAST_EREPLAY;
	}
	if (i != MC_STREAM_NONE && o->streams.slab[i].keyed) {
		/* A stream added without a generation gets one: 0 would name
		 * no key. */
		if (!o->streams.slab[i].gen)
			o->streams.slab[i].gen = ++o->gens;
		dkey = o->streams.slab[i].key;
		gen = o->streams.slab[i].gen;
	} else {
		/* A new stream, or one restored from a state file. */
		c = mc_key_for(o, key, &id);
		if (!c)
			return -EIO;
		dkey = c->key;
		gen = c->gen;
	}

	/* Only a datagram that opens may change the key in the live
	 * context: all others are tried in the other one. */
	a = &o->live[id.cipher];
	if (a->gen != gen)
		a = &o->trial[id.cipher];
	rc = mc_aead(a, 0, dkey, gen, h.seq, p, h.hdr_len, h.payload_len,
		     h.flags & MCAST_HDR_AUTH_ONLY, p + end);
	if (rc < 0) {
		/* Never leave unauthenticated plaintext behind. */
		if (!(h.flags & MCAST_HDR_AUTH_ONLY))
			OPENSSL_cleanse(p + h.hdr_len, h.payload_len);
		if (rc == MCAST_EBADTAG)
			o->rej.bad_tag++;
		return rc;
	}
	if (o->max_age_ns && mc_age_ns(now, h.send_ns) > o->max_age_ns) {
		o->rej.stale++;
		return MCAST_ESTALE;
	}
	/* The state file must cover a datagram before it is accepted. */
	if (o->streams.state &&
	    (rc = mc_state_reserve(&o->streams, i, &id, h.seq, o->errmsg,
				   sizeof(o->errmsg))) < 0) {
		o->rej.unsaved++;
		return rc;
	}
	if (i == MC_STREAM_NONE || !o->streams.slab[i].keyed) {
		if (i == MC_STREAM_NONE)
			i = mc_streams_add(&o->streams, &id, dkey, h.seq);
		else
			mc_streams_set_key(&o->streams, i, dkey);
		o->streams.slab[i].gen = gen;
		OPENSSL_cleanse(c, sizeof(*c)); /* the table has it now */
	}
	mc_streams_accept(&o->streams, i, h.seq);
	if (a != &o->live[id.cipher]) {
		struct mc_aead t = o->live[id.cipher];

		o->live[id.cipher] = *a;
		*a = t;
	}
	o->rej.accepted++;
	if (hout)
		*hout = h;
	return (int)end;
}

void mcast_rejects_init(struct mcast_rejects *r)
{
	if (!r)
		return;
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
}

int mcast_opener_rejects(const mcast_opener_t *o, struct mcast_rejects *r)
{
	if (!o || !r || !mc_copy_sized(r, &o->rej, sizeof(o->rej)))
		return -EINVAL;
	return 0;
}

/* Replay state across restarts: replay_state.c does the work. */

int mcast_opener_persist(mcast_opener_t *o, const char *path)
{
	if (!o || !path)
		return -EINVAL;
	o->errmsg[0] = '\0';
	return mc_state_persist(&o->streams, path, o->errmsg,
				sizeof(o->errmsg));
}

int mcast_opener_save(mcast_opener_t *o, int final)
{
	if (!o)
		return -EINVAL;
	o->errmsg[0] = '\0';
	return mc_state_save(&o->streams, final != 0, o->rej.accepted,
			     o->errmsg, sizeof(o->errmsg));
}

int mcast_opener_restore(mcast_opener_t *o, const void *buf, size_t len)
{
	if (!o || (!buf && len))
		return -EINVAL;
	o->errmsg[0] = '\0';
	return mc_state_parse(&o->streams, buf ? buf : "", len, o->errmsg,
			      sizeof(o->errmsg));
}

const char *mcast_opener_errmsg(const mcast_opener_t *o)
{
	return o ? o->errmsg : "";
}

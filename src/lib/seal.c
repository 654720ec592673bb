/* SPDX-License-Identifier: MIT */
/*
 * Sealed streams: authenticated (and by default encrypted) mcast datagrams
 * under a pre-shared key (docs/SECURITY.md).  All cryptography is
 * libcrypto's (EVP); this file only decides what goes in.
 *
 * Construction, for a datagram of key id K, session S, type T, cipher C
 * (0 AES-256-GCM, 1 ChaCha20-Poly1305) and sequence number N:
 *
 *   key   = HKDF-SHA256(IKM  = pre-shared key K (32 bytes),
 *                       salt = S (the 16-byte session id),
 *                       info = "mcast v1 " || T || C || K (4 bytes BE),
 *                       L    = 32)
 *   nonce = 00 00 00 00 || N (8 bytes BE)
 *   AAD   = the header as sealed (key_id = K, the MCAST_HDR_CHACHA and
 *           MCAST_HDR_AUTH_ONLY flags set, payload_len = plaintext
 *           length): hdr_len bytes: 48 in version 1, 56 in version 2
 *   wire  = header || AEAD(payload) || 16-byte tag
 *
 * Auth-only (MCAST_HDR_AUTH_ONLY): the payload stays clear and joins the
 * AAD (AAD = header || payload), the tag covers an empty ciphertext.
 * The info string is 15 bytes: "mcast v1 " is 9 ASCII bytes with the
 * space.  The wire length is hdr_len + payload_len + 16.
 *
 * Why each part:
 *  - One key per (session, type): a sequence number is unique within a
 *    (session, type) - data, end, ping and pong count separately - so N
 *    alone is a unique nonce under each derived key.  Sessions are random
 *    128-bit ids, so two senders sharing a pre-shared key never share a
 *    derived key: after n sessions under one key the chance that any two
 *    drew the same id is about n^2 / 2^129 (2^-65 after 2^32 sessions),
 *    where a 32-bit id would collide after about 2^16.
 *  - The sealer refuses (MCAST_EWRAP) a sequence number not strictly
 *    above the last one it sealed for that (session, type), and
 *    UINT64_MAX, so a caller that restarts its counter cannot reuse a
 *    nonce.  It remembers MC_SEAL_SLOTS (session, type) pairs; one pushed
 *    out (a 17th pair) and used again is no longer checked, which a
 *    sender with one session (four types) never meets.
 *  - Everything the receiver acts on is authenticated: the whole header
 *    is AAD, and the type, cipher and key id are also bound into the key.
 *  - Derived keys are cached (sealer: per (session, type); opener: with
 *    each stream's replay window), so HKDF runs once per stream, not per
 *    datagram.  Each sealer and opener owns its EVP_CIPHER_CTX, set up
 *    once with the cipher; a datagram under the key the context already
 *    holds sets only the nonce, since re-keying (the AES key schedule and
 *    GHASH table, or ChaCha's setup) costs as much as sealing 200 bytes
 *    and a stream's datagrams all share one key.  No allocation on the
 *    datagram path (test_seal.c counts libcrypto's allocations).
 *
 * The opener checks, in this order, cheapest and least trusting first:
 * decode the header; key id 0 (MCAST_EUNSEALED); key id not in the
 * keyring (MCAST_EUNKNOWNKEY); room for the tag (MCAST_ESHORT), nothing
 * after it (MCAST_EMALFORMED); replay window (MCAST_EREPLAY, before the
 * AEAD because it is cheap); the tag (MCAST_EBADTAG); freshness,
 * |now - send_ns| > max_age (MCAST_ESTALE, after the tag, since send_ns
 * is only trustworthy once authenticated); and only then moves the
 * window.  Streams are remembered in a bounded table (replay.c); a
 * stream pushed out of it and then replayed is caught only by freshness.
 */
#include "crypto_internal.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#define MC_SEAL_SLOTS 16
#define MC_NONCE_LEN  12
#define MC_INFO_LABEL "mcast v1 "
#define MC_INFO_LEN   (sizeof(MC_INFO_LABEL) - 1 + 2 + 4)

struct mc_seal_slot {
	uint8_t session[MCAST_SESSION_LEN];
	uint8_t type;
	bool used;
	bool sealed;	/* last is valid */
	uint64_t last;	/* highest sequence number sealed */
	uint64_t stamp; /* last use, for replacement */
	uint8_t key[MCAST_KEY_LEN];
};

/* A cipher context and the key it was last set up with. */
struct mc_aead {
	EVP_CIPHER_CTX *ctx;
	bool keyed;
	uint8_t key[MCAST_KEY_LEN];
};

struct mcast_sealer {
	const struct mc_keyent *key;
	enum mcast_cipher cipher;
	bool auth_only;
	struct mc_aead aead;
	EVP_KDF_CTX *kdf;
	uint64_t clock;
	struct mc_seal_slot slots[MC_SEAL_SLOTS];
};

struct mcast_opener {
	const struct mcast_keyring *keys;
	struct mc_aead aead[2]; /* by enum mcast_cipher */
	EVP_KDF_CTX *kdf;
	uint64_t max_age_ns; /* 0: no freshness check */
	int require;	     /* enum mcast_require */
	struct mc_streams streams;
	struct mcast_rejects rej;
	uint8_t scratch[MCAST_KEY_LEN]; /* a new stream's key */
};

static void mc_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void mc_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static const EVP_CIPHER *mc_evp_cipher(enum mcast_cipher c)
{
	return c == MCAST_CIPHER_CHACHA20POLY1305 ? EVP_chacha20_poly1305()
						  : EVP_aes_256_gcm();
}

/* A cipher context with its cipher chosen, ready to be keyed per call. */
static EVP_CIPHER_CTX *mc_cipher_ctx(enum mcast_cipher c)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (ctx && EVP_CipherInit_ex(ctx, mc_evp_cipher(c), NULL, NULL, NULL,
				     1) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

/* An HKDF context with its digest set: SHA-256. */
static EVP_KDF_CTX *mc_kdf_ctx(void)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	EVP_KDF_free(kdf); /* the context keeps its own reference */
	if (ctx && EVP_KDF_CTX_set_params(ctx, p) != 1) {
		EVP_KDF_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

/* The per-(session, type, cipher) key of pre-shared key k. */
static int mc_derive(EVP_KDF_CTX *kdf, const struct mc_keyent *k,
		     const uint8_t session[MCAST_SESSION_LEN], uint8_t type,
		     uint8_t cipher, uint8_t out[MCAST_KEY_LEN])
{
	uint8_t info[MC_INFO_LEN];
	OSSL_PARAM p[4];
	size_t n = sizeof(MC_INFO_LABEL) - 1;

	memcpy(info, MC_INFO_LABEL, n);
	info[n] = type;
	info[n + 1] = cipher;
	mc_be32(info + n + 2, k->id);
	p[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)k->key, MCAST_KEY_LEN);
	p[1] = OSSL_PARAM_construct_octet_string(
		OSSL_KDF_PARAM_SALT, (void *)session, MCAST_SESSION_LEN);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info,
						 sizeof(info));
	p[3] = OSSL_PARAM_construct_end();
	return EVP_KDF_derive(kdf, out, MCAST_KEY_LEN, p) == 1 ? 0 : -EIO;
}

/*
 * Seal (enc 1) or open (enc 0) in place: buf holds hdr_len header bytes
 * and plen payload bytes; tag is where the tag goes (sealing) or is
 * (opening).  Returns 0, MCAST_EBADTAG, or -EIO when libcrypto fails.
 */
static int mc_aead(struct mc_aead *a, int enc, const uint8_t key[MCAST_KEY_LEN],
		   uint64_t seq, uint8_t *buf, size_t hdr_len, size_t plen,
		   bool auth_only, uint8_t *tag)
{
	uint8_t nonce[MC_NONCE_LEN] = { 0 };
	uint8_t *payload = buf + hdr_len;
	size_t aad = auth_only ? hdr_len + plen : hdr_len;
	EVP_CIPHER_CTX *ctx = a->ctx;
	bool same = a->keyed && CRYPTO_memcmp(a->key, key, MCAST_KEY_LEN) == 0;
	unsigned char fin[16];
	int outl;

	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(seq >> (56 - 8 * i));
	/* The tag goes through the provider's parameter interface directly:
	 * the EVP_CIPHER_CTX_ctrl() and EVP_CipherInit_ex() wrappers of
	 * OpenSSL 3 translate to the same calls with extra look-ups, about
	 * 30 ns of a 500 ns AES-GCM datagram. */
	OSSL_PARAM p[2] = { OSSL_PARAM_construct_octet_string(
				    OSSL_CIPHER_PARAM_AEAD_TAG, tag,
				    MCAST_TAG_LEN),
			    OSSL_PARAM_construct_end() };

	if (!same) {
		/* Forget the old key first: a failed set-up keeps none. */
		a->keyed = false;
		if (EVP_CipherInit_ex2(ctx, NULL, key, nonce, enc, NULL) != 1)
			return -EIO;
		memcpy(a->key, key, MCAST_KEY_LEN);
		a->keyed = true;
	} else if (EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, enc, NULL) != 1) {
		return -EIO;
	}
	if (!enc && EVP_CIPHER_CTX_set_params(ctx, p) != 1)
		return -EIO;
	if (EVP_CipherUpdate(ctx, NULL, &outl, buf, (int)aad) != 1)
		return -EIO;
	if (!auth_only && plen > 0 &&
	    EVP_CipherUpdate(ctx, payload, &outl, payload, (int)plen) != 1)
		return -EIO;
	if (EVP_CipherFinal_ex(ctx, fin, &outl) != 1)
		return enc ? -EIO : MCAST_EBADTAG;
	if (enc && EVP_CIPHER_CTX_get_params(ctx, p) != 1)
		return -EIO;
	return 0;
}

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
	s->kdf = mc_kdf_ctx();
	if (!s->key || !s->aead.ctx || !s->kdf) {
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
	EVP_KDF_CTX_free(s->kdf);
	mc_secret_free(s, sizeof(*s));
}

/* The slot of (session, type), derived on first use; a new pair takes a
 * free slot or the least recently used one.  NULL when HKDF fails. */
static struct mc_seal_slot *mc_seal_slot(struct mcast_sealer *s,
					 const struct mcast_hdr *h)
{
	struct mc_seal_slot *slot = NULL;

	for (int i = 0; i < MC_SEAL_SLOTS; i++) {
		struct mc_seal_slot *t = &s->slots[i];

		if (t->used && t->type == h->type &&
		    memcmp(t->session, h->session, MCAST_SESSION_LEN) == 0) {
			t->stamp = ++s->clock;
			return t;
		}
		if (!slot ||
		    (slot->used && (!t->used || t->stamp < slot->stamp)))
			slot = t;
	}
	if (mc_derive(s->kdf, s->key, h->session, h->type, (uint8_t)s->cipher,
		      slot->key) < 0) {
		OPENSSL_cleanse(slot, sizeof(*slot));
		return NULL;
	}
	memcpy(slot->session, h->session, MCAST_SESSION_LEN);
	slot->type = h->type;
	slot->used = true;
	slot->sealed = false;
	slot->last = 0;
	slot->stamp = ++s->clock;
	return slot;
}

int mcast_seal(mcast_sealer_t *s, void *buf, size_t len, size_t cap)
{
	uint8_t *p = buf, saved[6];
	struct mc_seal_slot *slot;
	struct mcast_hdr h;
	uint16_t flags;
	int rc;

	if (!s || !buf)
		return -EINVAL;
	rc = mcast_hdr_decode(&h, buf, len);
	if (rc < 0)
		return rc;
	if (h.key_id != 0)
		return -EINVAL; /* sealed already */
	/* With key_id 0 the decoder has checked len == hdr_len + payload. */
	if (cap < len + MCAST_TAG_LEN || len + MCAST_TAG_LEN > INT_MAX)
		return -ENOSPC;
	if (h.seq == UINT64_MAX)
		return MCAST_EWRAP;
	slot = mc_seal_slot(s, &h);
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
	mc_be16(p + MC_HDR_OFF_FLAGS, flags);
	mc_be32(p + MC_HDR_OFF_KEY_ID, s->key->id);
	rc = mc_aead(&s->aead, 1, slot->key, h.seq, p, h.hdr_len, h.payload_len,
		     s->auth_only, p + len);
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

/* Does the caller's opts (of o->size bytes) reach this member? */
#define MC_OPTS_HAS(o, member) \
	((o)->size >=          \
	 offsetof(struct mcast_opener_opts, member) + sizeof((o)->member))

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
		if (MC_OPTS_HAS(o, replay_window))
			d.replay_window = o->replay_window;
		if (MC_OPTS_HAS(o, max_sessions))
			d.max_sessions = o->max_sessions;
		if (MC_OPTS_HAS(o, max_age))
			d.max_age = o->max_age;
		if (MC_OPTS_HAS(o, require))
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
	m->aead[MCAST_CIPHER_AES256GCM].ctx =
		mc_cipher_ctx(MCAST_CIPHER_AES256GCM);
	m->aead[MCAST_CIPHER_CHACHA20POLY1305].ctx =
		mc_cipher_ctx(MCAST_CIPHER_CHACHA20POLY1305);
	m->kdf = mc_kdf_ctx();
	if (!m->aead[0].ctx || !m->aead[1].ctx || !m->kdf ||
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
	EVP_CIPHER_CTX_free(o->aead[0].ctx);
	EVP_CIPHER_CTX_free(o->aead[1].ctx);
	EVP_KDF_CTX_free(o->kdf);
	mc_streams_free(&o->streams);
	mc_secret_free(o, sizeof(*o));
}

int mcast_opener_set_keyring(mcast_opener_t *o, const mcast_keyring_t *k)
{
	if (!o || !k)
		return -EINVAL;
	o->keys = k;
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

int mcast_unseal(mcast_opener_t *o, void *buf, size_t len,
		 const struct timespec *now, struct mcast_hdr *hout)
{
	const struct mc_keyent *key;
	struct mc_stream_id id;
	const uint8_t *dkey;
	struct mcast_hdr h;
	uint8_t *p = buf;
	uint32_t i;
	size_t end;
	int rc;

	if (!o || !buf || (!now && o->max_age_ns))
		return -EINVAL;
	rc = mcast_hdr_decode(&h, buf, len);
	if (rc < 0)
		return mc_reject_decode(o, rc);
	if (h.key_id == 0) {
		o->rej.unsealed++;
		return MCAST_EUNSEALED;
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

	memset(&id, 0, sizeof(id));
	memcpy(id.session, h.session, MCAST_SESSION_LEN);
	id.key_id = h.key_id;
	id.type = h.type;
	id.cipher = h.flags & MCAST_HDR_CHACHA ? MCAST_CIPHER_CHACHA20POLY1305
					       : MCAST_CIPHER_AES256GCM;
	i = mc_streams_find(&o->streams, &id);
	if (i != MC_STREAM_NONE) {
		if (mc_streams_replayed(&o->streams, i, h.seq)) {
			o->rej.replayed++;
			return MCAST_EREPLAY;
		}
		dkey = o->streams.slab[i].key;
	} else {
		if (mc_derive(o->kdf, key, h.session, h.type, id.cipher,
			      o->scratch) < 0)
			return -EIO;
		dkey = o->scratch;
	}

	rc = mc_aead(&o->aead[id.cipher], 0, dkey, h.seq, p, h.hdr_len,
		     h.payload_len, h.flags & MCAST_HDR_AUTH_ONLY, p + end);
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
	if (i != MC_STREAM_NONE)
		mc_streams_accept(&o->streams, i, h.seq);
	else
		mc_streams_add(&o->streams, &id, o->scratch, h.seq);
	o->rej.accepted++;
	if (hout)
		*hout = h;
	return (int)end;
}

int mcast_opener_rejects(const mcast_opener_t *o, struct mcast_rejects *r)
{
	if (!o || !r || !mc_copy_sized(r, &o->rej, sizeof(o->rej)))
		return -EINVAL;
	return 0;
}

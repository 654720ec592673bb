/* SPDX-License-Identifier: MIT */
/*
 * mcast doctor's firewall check: read the rules with `nft list ruleset`
 * and `iptables-save` (read-only, when installed) and look, by plain text
 * matching, for input or prerouting rules that may drop UDP to the port.
 * It can only say "may": the self-test is the authority.
 */
#include "doctor.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct fw_scan {
	unsigned port;
	const char *group; /* the group's address as text */
	bool v6;
	/* nft: where we are */
	char table[64], chain[64], hook[16];
	bool policy_drop, port_accepted;
	/* findings */
	unsigned hits;
	char first[DR_TEXT]; /* the first rule or policy that may drop */
	char fix[DR_TEXT];
};

/* A tool by name in PATH and the sbin directories PATH often lacks. */
static bool find_tool(const char *name, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	char dirs[1024];

	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin",
		 path ? path : "/usr/bin:/bin");
	for (char *save, *dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, cap, "%s/%s", dir, name);
		if (access(out, X_OK) == 0)
			return true;
	}
	return false;
}

static bool is_word(const char *line, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = strstr(line, w); p; p = strstr(p + 1, w))
		if ((p == line || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[n]) && p[n] != '-')
			return true;
	return false;
}

/*
 * Does the port list after a "dport" keyword hold port?  Understands
 * "5000", "5000-5010", "{ 80, 5000-5010 }", "!= 5000" (nft) and
 * "5000:5010", "80,5000" (iptables --dport / --dports).
 */
static bool dport_has(const char *after, unsigned port)
{
	bool neg = false, in = false, brace = false;
	const char *p = after;

	while (*p == ' ' || *p == '=')
		p++;
	if (p[0] == '!') {
		neg = true;
		p += p[1] == '=' ? 2 : 1;
		while (*p == ' ')
			p++;
	}
	if (*p == '{') {
		brace = true;
		p++;
	}
	for (;;) {
		char *end;
		unsigned long lo, hi;

		while (*p == ' ' || *p == ',')
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		lo = hi = strtoul(p, &end, 10);
		p = end;
		if (*p == '-' || *p == ':')
			hi = strtoul(p + 1, &end, 10), p = end;
		in |= port >= lo && port <= hi;
		if (!brace && *p != ',')
			break;
	}
	return neg ? !in : in;
}

static void note_hit(struct fw_scan *s, const char *fmt, const char *a,
		     const char *b)
{
	if (s->hits++ == 0)
		snprintf(s->first, sizeof(s->first), fmt, a, b);
}

/* One rule line inside an nft chain with an input or prerouting hook. */
static void nft_rule(struct fw_scan *s, const char *r)
{
	const char *dp = strstr(r, "dport ");
	bool drops = is_word(r, "drop") || is_word(r, "reject");
	bool port = dp && dport_has(dp + 6, s->port);
	bool udp = is_word(r, "udp") || strstr(r, "l4proto udp");
	bool mcast = is_word(r, "multicast") || strstr(r, s->group) ||
		     strstr(r, s->v6 ? "ff00::/8" : "224.0.0.0/4");
	bool bare = !strpbrk(r, ".:") && !dp && !is_word(r, "saddr") &&
		    !is_word(r, "daddr") && !is_word(r, "iifname") &&
		    !is_word(r, "iif") && !is_word(r, "ct") &&
		    !is_word(r, "tcp") && !is_word(r, "icmp") &&
		    !is_word(r, "icmpv6");

	if (is_word(r, "accept") && port)
		s->port_accepted = true;
	if (!drops)
		return;
	/* "tcp dport 5000" is not ours. */
	bool other =
		is_word(r, "tcp") || is_word(r, "sctp") || is_word(r, "dccp");

	if ((port && !other) || (udp && !dp) || mcast || bare) {
		char where[160];

		snprintf(where, sizeof(where), "%s chain %s (hook %s)",
			 s->table, s->chain, s->hook);
		note_hit(s, "nftables %s: '%s'", where, r);
		if (!s->fix[0])
			snprintf(
				s->fix, sizeof(s->fix),
				"inspect: nft -a list chain %s %s; allow: nft insert rule %s %s udp dport %u accept",
				s->table, s->chain, s->table, s->chain,
				s->port);
	}
}

static void nft_chain_end(struct fw_scan *s)
{
	if (s->hook[0] && s->policy_drop && !s->port_accepted) {
		char where[160];

		snprintf(where, sizeof(where), "%s chain %s", s->table,
			 s->chain);
		note_hit(
			s,
			"nftables %s: hook %s with policy drop, and no rule there accepts the port",
			where, s->hook);
		if (!s->fix[0])
			snprintf(
				s->fix, sizeof(s->fix),
				"allow it: nft insert rule %s %s udp dport %u accept",
				s->table, s->chain, s->port);
	}
	s->chain[0] = s->hook[0] = '\0';
	s->policy_drop = s->port_accepted = false;
}

static void nft_line(struct fw_scan *s, char *line)
{
	char *h;

	if (!strncmp(line, "table ", 6)) {
		snprintf(s->table, sizeof(s->table), "%.*s",
			 (int)strcspn(line + 6, "{") - 1, line + 6);
	} else if (!strncmp(line, "chain ", 6)) {
		snprintf(s->chain, sizeof(s->chain), "%.*s",
			 (int)strcspn(line + 6, " {"), line + 6);
	} else if (s->chain[0] && !strcmp(line, "}")) {
		nft_chain_end(s);
	} else if (s->chain[0] && (h = strstr(line, "hook ")) &&
		   !strncmp(line, "type ", 5)) {
		h += 5;
		if (!strncmp(h, "input", 5) || !strncmp(h, "prerouting", 10) ||
		    !strncmp(h, "ingress", 7))
			snprintf(s->hook, sizeof(s->hook), "%.*s",
				 (int)strcspn(h, " ;"), h);
		s->policy_drop = strstr(line, "policy drop") != NULL;
	} else if (s->hook[0]) {
		nft_rule(s, line);
	}
}

/* iptables-save: "*filter", ":INPUT DROP [0:0]", "-A INPUT ... -j DROP". */
static void ipt_line(struct fw_scan *s, char *line)
{
	char chain[32] = "";

	if (line[0] == '*') {
		snprintf(s->table, sizeof(s->table), "%s", line + 1);
	} else if (line[0] == ':' && (!strncmp(line, ":INPUT DROP", 11) ||
				      !strncmp(line, ":PREROUTING DROP", 16))) {
		note_hit(s, "iptables table %s: policy '%s'", s->table,
			 line + 1);
	} else if (sscanf(line, "-A %31s", chain) == 1 &&
		   (!strcmp(chain, "INPUT") || !strcmp(chain, "PREROUTING")) &&
		   (strstr(line, "-j DROP") || strstr(line, "-j REJECT"))) {
		const char *dp = strstr(line, "--dport ");
		const char *dps = strstr(line, "--dports ");
		bool port = (dp && dport_has(dp + 8, s->port)) ||
			    (dps && dport_has(dps + 9, s->port));
		bool udp = strstr(line, "-p udp") && !dp && !dps;
		bool other = strstr(line, "-p ") && !strstr(line, "-p udp") &&
			     !strstr(line, "-p all");
		bool only_verdict =
			!strncmp(line + 3 + strlen(chain), " -j ", 4);

		if (other && !strstr(line, "multicast"))
			return;
		if (port || udp || only_verdict || strstr(line, "multicast") ||
		    strstr(line, s->group)) {
			note_hit(s, "iptables table %s: '%s'", s->table, line);
			if (!s->fix[0])
				snprintf(
					s->fix, sizeof(s->fix),
					"allow it: %s -t %s -I %s -p udp --dport %u -j ACCEPT",
					s->v6 ? "ip6tables" : "iptables",
					s->table, chain, s->port);
		}
	}
}

/* Run tool's argv and feed each output line, trimmed, to fn.  Returns the
 * exit status, or -1 when it could not run. */
static int run_lines(char *const argv[], struct fw_scan *s,
		     void (*fn)(struct fw_scan *, char *))
{
	int pfd[2], status = -1;
	char line[1024];
	pid_t pid;
	FILE *f;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(pfd[1], STDOUT_FILENO);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	if ((f = fdopen(pfd[0], "r"))) {
		while (fgets(line, sizeof(line), f)) {
			char *p = line, *e;

			while (isspace((unsigned char)*p))
				p++;
			e = p + strlen(p);
			while (e > p && isspace((unsigned char)e[-1]))
				*--e = '\0';
			fn(s, p);
		}
		fclose(f);
	} else {
		close(pfd[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void dr_check_firewall(struct doctor *d)
{
	struct fw_scan s = { 0 };
	char nft[256], ipt[256], g[MCAST_ADDRSTRLEN], unread[128] = "";
	bool have_nft = find_tool("nft", nft, sizeof(nft));
	bool have_ipt =
		find_tool(dr_is_v6(d) ? "ip6tables-save" : "iptables-save", ipt,
			  sizeof(ipt));
	size_t used = 0;
	int read = 0;

	s.port = mcast_addr_port((const struct sockaddr *)&d->group);
	s.group = cli_addr_only(&d->group, g, sizeof(g));
	s.v6 = dr_is_v6(d);
	if (have_nft) {
		char *argv[] = { nft, "list", "ruleset", NULL };

		if (run_lines(argv, &s, nft_line) == 0)
			read++;
		else
			cli_append(unread, sizeof(unread), &used, "nft");
	}
	if (have_ipt) {
		char *argv[] = { ipt, NULL };

		if (run_lines(argv, &s, ipt_line) == 0)
			read++;
		else
			cli_append(unread, sizeof(unread), &used, "%s%s",
				   used ? " and " : "", strrchr(ipt, '/') + 1);
	}
	if (s.hits)
		dr_report(
			d, DR_WARN,
			s.fix[0] ? s.fix
				 : "allow UDP to the port in that chain",
			"may drop UDP to port %u: %s (%u match%s; the self-test tells for sure)",
			s.port, s.first, s.hits, s.hits == 1 ? "" : "es");
	else if (!have_nft && !have_ipt)
		dr_report(
			d, DR_SKIP, NULL,
			"neither nft nor %s is installed: rules not checked (the self-test still sees their effect)",
			dr_is_v6(d) ? "ip6tables-save" : "iptables-save");
	else if (!read)
		dr_report(
			d, DR_SKIP, "run as root to read the rules",
			"cannot read the rules with %s (needs CAP_NET_ADMIN): not checked (the self-test still sees their effect)",
			unread);
	else
		dr_report(
			d, DR_OK, NULL,
			"no input or prerouting rule found that drops UDP to port %u%s%s",
			s.port, *unread ? "; could not read: " : "", unread);
}

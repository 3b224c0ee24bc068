// SPDX-License-Identifier: MIT
/*
 * The kernel command line: init/main.c's boot_command_line, kernel/params.c's
 * parser, and the __setup/early_param registry.
 *
 * At boot (kmem_boot() calls kmem_cmdline_boot() once the configuration is
 * resolved, before the machine is built) the line is taken from struct
 * kmem_config's cmdline or $KMEM_CMDLINE, copied into boot_command_line (the
 * text /proc/cmdline shows), printed as the kernel prints it ("Kernel command
 * line: ..."), then parsed twice over a scratch copy: early parameters
 * first, then the others, each handed to its handler in order of appearance.
 *
 * Parsing follows the kernel's next_arg(): an argument ends at a space
 * outside double quotes; its name ends at the first '='; a quote opening the
 * argument or the value is dropped with its closing quote. Names compare with
 * '-' and '_' equal (parameq()). `--` ends the kernel's arguments.
 *
 * What no handler took is reported once per boot, as the kernel does: the
 * arguments without a value first (init's argv), then those with one (init's
 * environment), in one line "Unknown kernel command line parameters "...",
 * will be passed to user space.". The kernel stays silent about unknown
 * dotted names (module parameters of a module that may be loaded later);
 * kmem has no modules, so it reports those too: nothing is ignored silently.
 *
 * Locking: param_lock protects the registry (constructors may run on any
 * thread); the parse runs under kmem_boot()'s boot_lock, so
 * boot_command_line changes only there and readers of a running machine see
 * a stable string.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <kmem/cmdline.h>
#include <kmem/show.h>
#include "kernel/internal.h"

#define COMMAND_LINE_SIZE 2048 /* x86 */

static char boot_command_line[COMMAND_LINE_SIZE];
static struct kmem_param *params, **params_tail = &params;
static DEFINE_MUTEX_RANK(param_lock, LOCK_RANK_PARAM);

void kmem_register_param(struct kmem_param *p)
{
	mutex_lock_atomic(&param_lock);
	p->next = NULL;
	*params_tail = p;
	params_tail = &p->next;
	mutex_unlock(&param_lock);
}

const char *kmem_cmdline(void)
{
	return kmem_ensure_booted() ? boot_command_line : NULL;
}

/* Parameter names compare with '-' and '_' as one character. */
static bool parameq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = *a == '-' ? '_' : *a, cb = *b == '-' ? '_' : *b;

		if (ca != cb)
			return false;
		if (!ca)
			return true;
	}
}

/* Does `param` start with `prefix` (which ends in '.')? Returns the rest. */
static const char *param_prefix(const char *param, const char *prefix)
{
	for (; *prefix; param++, prefix++) {
		char ca = *param == '-' ? '_' : *param;
		char cb = *prefix == '-' ? '_' : *prefix;

		if (ca != cb)
			return NULL;
	}
	return *param ? param : NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static char *skip_spaces(char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

/*
 * Cut the next argument off `args` (which starts at a non-space): *param is
 * its name, *val the text after '=' or NULL. Quotes around the argument or
 * its value are removed. Returns where the next argument starts.
 */
static char *next_arg(char *args, char **param, char **val)
{
	unsigned int i, equals = 0;
	bool in_quote = false, quoted = false;
	char *next;

	if (*args == '"') {
		args++;
		in_quote = true;
		quoted = true;
	}
	for (i = 0; args[i]; i++) {
		if (is_space(args[i]) && !in_quote)
			break;
		if (!equals && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		if (**val == '"') {
			(*val)++;
			if (i > 0 && args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i]) {
		args[i] = '\0';
		next = args + i + 1;
	} else {
		next = args + i;
	}
	return skip_spaces(next);
}

/*
 * Hand (param, val) to the handlers of this pass. In the normal pass, true if
 * a handler took it or it is an early parameter (handled in the early pass,
 * the kernel's had_early_param): false means unknown.
 */
static bool handle_param(const char *param, const char *val, bool early)
{
	static char joined[COMMAND_LINE_SIZE];
	struct kmem_param *p;
	bool taken = false;

	mutex_lock_atomic(&param_lock);
	for (p = params; p; p = p->next) {
		size_t n = strlen(p->name);
		const char *arg = val;

		if (n && p->name[n - 1] == '.') {
			/* "failslab." takes "failslab.<knob>[=value]" and
			 * is handed "<knob>[=value]". */
			const char *rest = param_prefix(param, p->name);

			if (!rest)
				continue;
			snprintf(joined, sizeof(joined), "%s%s%s", rest,
				 val ? "=" : "", val ? val : "");
			arg = joined;
		} else if (!parameq(param, p->name)) {
			continue;
		}
		if (p->early) {
			if (!early)
				taken = true;
			else if (p->setup(arg))
				pr_warn("Malformed early option '%s'\n", param);
		} else if (!early && !taken && p->setup(arg) == 0) {
			taken = true;
		}
	}
	mutex_unlock(&param_lock);
	return taken;
}

/* Append "param[=val]" to buf (space-separated). */
static void append_arg(char *buf, size_t len, const char *param,
		       const char *val)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s%s%s", n ? " " : "", param,
		 val ? "=" : "", val ? val : "");
}

/* One pass over a scratch copy. Unknown arguments are collected in the
 * normal pass (argv: no value; envp: with a value). */
static void parse_args(bool early, char *argv, char *envp, size_t len)
{
	static char scratch[COMMAND_LINE_SIZE];
	char *args, *param, *val;

	memcpy(scratch, boot_command_line, sizeof(scratch));
	args = skip_spaces(scratch);
	while (*args) {
		args = next_arg(args, &param, &val);
		if (!strcmp(param, "--") && !val)
			break; /* the rest is init's */
		if (!*param)
			continue;
		if (handle_param(param, val, early) || early)
			continue; /* unknowns are collected in the normal pass */
		if (val)
			append_arg(envp, len, param, val);
		else
			append_arg(argv, len, param, NULL);
	}
}

/* The slab allocator chosen by kmem_config.slab or $KMEM_SLAB is on the
 * command line as slab_allocator=, so /proc/cmdline says which (SLUB, the
 * default, only when the line names it). */
static void cmdline_add_slab(const struct kmem_config *cfg)
{
	static const char *const names[] = { "", "slub", "slab", "slob" };
	size_t n = strlen(boot_command_line);

	if (cfg->slab <= KMEM_SLAB_SLUB || cfg->slab > KMEM_SLAB_SLOB ||
	    strstr(boot_command_line, "slab_allocator=") ||
	    strstr(boot_command_line, "slab-allocator="))
		return;
	snprintf(boot_command_line + n, sizeof(boot_command_line) - n,
		 "%sslab_allocator=%s", n ? " " : "", names[cfg->slab]);
}

/* Called by kmem_boot() with boot_lock held, before the machine is built. */
void kmem_cmdline_boot(struct kmem_config *cfg)
{
	static char argv[COMMAND_LINE_SIZE], envp[COMMAND_LINE_SIZE];
	const char *line = cfg->cmdline;

	if (!line)
		line = getenv("KMEM_CMDLINE");
	if (!line)
		line = "";
	if (strlen(line) >= sizeof(boot_command_line))
		pr_warn("Command line is too long: truncated to %zu bytes\n",
			sizeof(boot_command_line) - 1);
	snprintf(boot_command_line, sizeof(boot_command_line), "%s", line);
	cmdline_add_slab(cfg);
	cfg->cmdline = boot_command_line;
	if (!*skip_spaces(boot_command_line))
		return;
	pr_notice("Kernel command line: %s\n", boot_command_line);
	argv[0] = envp[0] = '\0';
	parse_args(true, argv, envp, sizeof(argv));
	parse_args(false, argv, envp, sizeof(argv));
	if (argv[0] || envp[0])
		pr_notice(
			"Unknown kernel command line parameters \"%s%s%s\", will be passed to user space.\n",
			argv, argv[0] && envp[0] ? " " : "", envp);
}

/* /proc/cmdline */
static int show_cmdline(const char *name, FILE *f)
{
	(void)name;
	fprintf(f, "%s\n", boot_command_line);
	return 0;
}

static const struct kmem_view cmdline_view = { "cmdline", show_cmdline, 0 };

__attribute__((constructor)) static void cmdline_register_view(void)
{
	kmem_register_view(&cmdline_view);
}

/* The kernel's kstrtobool(): y/Y/t/T/1, n/N/f/F/0, on/off. */
int kstrtobool(const char *s, bool *res)
{
	if (!s)
		return -EINVAL;
	switch (s[0]) {
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*res = true;
		return 0;
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*res = false;
		return 0;
	case 'o':
	case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*res = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

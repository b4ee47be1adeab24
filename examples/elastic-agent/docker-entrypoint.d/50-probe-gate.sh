#!/bin/sh
# The elastic-agent gate: checks this container with `probe --agent` before
# GoCD's entrypoint starts the agent, and keeps the agent from starting (so
# from registering and taking a job) when a check fails.
#
# GoCD's agent images (gocd/gocd: buildSrc/src/main/resources/
# gocd-docker-agent/docker-entrypoint.sh) *execute* every executable file in
# /docker-entrypoint.d/, one after another in name order, as the image's
# user `go`, after writing config/autoregister.properties and unsetting the
# variables it wrote there, and before starting the agent.
# A script that exits non-zero makes the entrypoint exit 111 at once: the
# agent is never started. So this script signals failure by its exit status;
# its output (the probe's report) goes to the container's log. See docs/gocd.md,
# "The elastic-agent gate".
#
# Which resources are checked: the first of these that is set.
#   PROBE_RESOURCES                 comma-separated; set it in the elastic
#                                   agent profile. Elastic agents have no
#                                   resources in GoCD. Empty: common checks only.
#   AGENT_AUTO_REGISTER_RESOURCES   if still set: GoCD's entrypoint unsets it
#                                   for a static agent, but leaves it (and
#                                   registers no resources) for an elastic one
#   agent.auto.register.resources   in the agent's autoregister.properties:
#                                   what a static agent registers with
# None of them (an elastic agent whose profile sets no PROBE_RESOURCES) is a
# failure: the gate does not guess what the jobs need.
#
# Settings, from the environment:
#   PROBE_BIN        the probe (default: `probe` on PATH)
#   PROBE_GATE_ARGS  flags added to `probe --agent`, split on blanks
#                    (default: --strict, so that a resource named here that
#                    no spec covers stops the agent; set it, even empty, to
#                    replace it: PROBE_GATE_ARGS="--strict --retry-timeout 30s")
#   PROBE_PATH       where the specs are (the probe's own variable; default
#                    /etc/probe/probes)
#
# POSIX sh: runs under dash (Debian's and Ubuntu's /bin/sh) and busybox sh.
set -u
# PROBE_GATE_ARGS is split on blanks and never globbed.
set -f

gate=${0##*/}

# Everything goes to stdout, the probe's stderr too: a container's log reads
# stdout and stderr through separate pipes, and only one stream keeps these
# lines and the report in the order they were written.
say() {
  printf '%s: %s\n' "$gate" "$*"
}

# Says why, then that the agent will not start, and exits with $2 (2 when
# not given, as the probe's own usage and spec errors).
stop() {
  say "$1"
  say "FAILED: this agent is not started: it does not register with GoCD and takes no job"
  exit "${2:-2}"
}

# The agent's working directory (GoCD 25.4 and later; /go before), where the
# entrypoint has written config/autoregister.properties.
work_dir=
for dir in /go-working-dir /go; do
  if [ -d "$dir/config" ]; then
    work_dir=$dir
    break
  fi
done
properties=${work_dir:+$work_dir/config/autoregister.properties}

# Prints `=VALUE` for the last uncommented line of the property $1 (a regular
# expression), and fails when there is none. The leading `=` tells an empty
# value from a missing line. java.util.Properties keeps the last line of a
# key; the entrypoint appends a block on every start, and the agent comments
# out the lines it used once it has registered.
property() {
  [ -n "$properties" ] && [ -r "$properties" ] || return 1
  line=$(grep -E "^[[:space:]]*$1[[:space:]]*[=:]" "$properties" | tail -n 1)
  [ -n "$line" ] || return 1
  value=${line#*[=:]}
  printf '=%s' "$(printf '%s' "$value" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')"
}

elastic_plugin=$(property 'agent\.auto\.register\.elasticAgent\.pluginId') || elastic_plugin=
elastic_plugin=${elastic_plugin#=}
elastic_id=$(property 'agent\.auto\.register\.elasticAgent\.agentId') || elastic_id=
elastic_id=${elastic_id#=}

if [ -n "${PROBE_RESOURCES+set}" ]; then
  resources=$PROBE_RESOURCES
  from=PROBE_RESOURCES
elif [ -n "${AGENT_AUTO_REGISTER_RESOURCES+set}" ]; then
  resources=$AGENT_AUTO_REGISTER_RESOURCES
  from=AGENT_AUTO_REGISTER_RESOURCES
elif [ -z "$elastic_plugin" ] && registered=$(property 'agent\.auto\.register\.resources'); then
  resources=${registered#=}
  from="agent.auto.register.resources in $properties"
elif [ -n "$elastic_plugin" ]; then
  stop "this is an elastic agent (${elastic_id:-no agent id}, plugin $elastic_plugin), and elastic agents have no resources in GoCD: set PROBE_RESOURCES in its elastic agent profile to the resources its jobs need (empty for the common checks only)"
else
  stop "no resources to check: set PROBE_RESOURCES (empty for the common checks only), or register the agent with AGENT_AUTO_REGISTER_RESOURCES${properties:+ (no agent.auto.register.resources in $properties)}"
fi

probe=${PROBE_BIN:-probe}
case $probe in
  */*)
    [ -f "$probe" ] && [ -x "$probe" ] ||
      stop "PROBE_BIN=$probe is not an executable file: the probe is not installed there"
    ;;
  *)
    command -v "$probe" >/dev/null 2>&1 ||
      stop "the probe is not installed: no \`$probe\` on PATH ($PATH); copy the static binary into the image (examples/elastic-agent/Dockerfile) or set PROBE_BIN"
    ;;
esac

# `disk: .` checks then measure where the jobs will run: their checkouts go
# to pipelines/ under the agent's working directory, which is also the
# agent's own (GoCD sets wrapper.working.dir to it).
if [ -n "$work_dir" ]; then
  cd "$work_dir/pipelines" 2>/dev/null || cd "$work_dir" || :
fi

if [ -n "$elastic_plugin" ]; then
  say "checking elastic agent ${elastic_id:-(no agent id)} (plugin $elastic_plugin) before it starts, in $(pwd)"
else
  say "checking this agent before it starts, in $(pwd)"
fi
say "resources: ${resources:-none, the common checks only} (from $from)"

args=${PROBE_GATE_ARGS-"--strict"}
GO_AGENT_RESOURCES=$resources
export GO_AGENT_RESOURCES
# $args unquoted: one flag per blank-separated word.
"$probe" --agent $args 2>&1
status=$?

case $status in
  0) say "passed: the agent starts" ;;
  1) stop "the checks did not pass (the report above says which, and why)" 1 ;;
  2) stop "the probe could not check this agent: usage or spec error (above)" 2 ;;
  126 | 127) stop "the probe ($probe) could not be run (exit $status)" "$status" ;;
  *) stop "the probe ended with exit status $status" "$status" ;;
esac

#!/bin/sh
# Seeds the GoCD server's config on its first start.
#
# The gocd-server image's entrypoint runs every executable file in
# /docker-entrypoint.d/ after it has created /godata/config and before it
# starts the server. It runs them as the image's user, `go`: uid 1000,
# primary group root (gid 0); there is no `go` group, and /etc is not
# writable (gocd/gocd: buildSrc/src/main/resources/gocd-docker-server/
# Dockerfile.server.ftl ends with `USER go`; docker-entrypoint.sh runs the
# scripts with no change of user). So this script needs no root: what it
# creates is go's already. The server rewrites cruise-config.xml (it adds its
# server id and keys, and every change made in the UI), so the file is copied
# into the writable /godata/config once rather than mounted in place; later
# starts keep the server's own copy.
set -eu

seed=/gocd-seed/cruise-config.xml
config=/godata/config/cruise-config.xml
# The URL the seed file carries: this repository, mounted by docker-compose.yml.
mounted=/srv/probe
url="${PROBE_REPO_URL:-$mounted}"

if [ -e "$config" ]; then
  echo "$0: keeping the existing $config (docker compose down -v starts over)"
else
  case "$url" in
    *'&'* | *'<'* | *'"'* | *'|'* | *'\'*)
      echo "$0: PROBE_REPO_URL must not contain & < \" | or \\: $url" >&2
      exit 1
      ;;
  esac
  mkdir -p /godata/config
  sed "s|url=\"$mounted\"|url=\"$url\"|" "$seed" > "$config.tmp"
  mv "$config.tmp" "$config"
  echo "$0: seeded $config; config repo: $url"
fi

# The mounted repository belongs to the host's user, which is not `go` unless
# the host's uid is 1000: git then refuses it ("detected dubious ownership").
# safe.directory is read from the system or the user's global config only;
# /etc/gitconfig is root's, so it goes in go's ~/.gitconfig, which the
# server's git reads. Idempotent across restarts.
for dir in "$mounted" "$mounted/.git"; do
  if ! git config --global --get-all safe.directory 2>/dev/null | grep -qxF "$dir"; then
    git config --global --add safe.directory "$dir"
  fi
done

#!/usr/bin/env bash
# Podman without a registry: makes local stand-ins for the images the Dockerfile (its FROM) and
# docker-compose.yml (its redis `image:`) name, from Debian's mirror and npm only, and writes the
# containers.conf Podman needs on a machine like this one. Idempotent: an image that exists is kept
# (remove it to have it made again), and the containers.conf is rewritten with the same content.
# test/process/image.test.ts runs this same script; it is the only copy of the recipe.
#
# What the stand-ins are (they are NOT the official images):
# - the Dockerfile's base (node:<major>-<suite>-slim): Debian <suite> minbase (mmdebstrap), the
#   Node binary of that major from the npm package node-linux-<arch>, npm of this machine's version
#   (the npm package, which bundles its dependencies), a `node` user (uid/gid 1000, home
#   /home/node) and this machine's CA bundle with NODE_EXTRA_CA_CERTS pointing at it (so `npm ci` in
#   the build trusts the same registry proxy as this machine). The official image has no extra CA
#   bundle and an ENTRYPOINT (docker-entrypoint.sh, which execs the CMD) where the stand-in has none;
#   its npm is the one its Node release bundles.
# - the compose file's Redis: the base above plus Debian's redis-server and redis-cli, in /data,
#   protected mode off (as in the official image, so other containers reach it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONF=${GLS_CONTAINERS_CONF:-${XDG_CONFIG_HOME:-$HOME/.config}/github-login-server/containers.conf}
# The image in the compose file that stands for Redis: the service of this name.
REDIS_SERVICE=redis

usage() {
  cat <<EOF
Usage: scripts/offline-images.sh [COMMAND]

Makes the images the Dockerfile and docker-compose.yml need, without a registry (Debian's mirror
and npm only), for Podman and podman-compose on a machine with no access to Docker Hub.
Needs: podman, runc (or crun), mmdebstrap, and node and npm (20.19 or later, as for the project).

Commands:
  images      (the default) write the containers.conf, then make each stand-in image that is
              missing: the Dockerfile's base and the compose file's Redis. Existing images are kept.
  conf        write the containers.conf only, and print its path
  env         write the containers.conf and print the line that selects it, for:
                eval "\$(scripts/offline-images.sh env)"
  run CMD...  run CMD (podman, podman-compose, ...) with that containers.conf, e.g.
                scripts/offline-images.sh run podman-compose up -d
  names       print what this script derived from the Dockerfile and the compose file
  help        this text

The containers.conf goes to:
  $CONF
(set GLS_CONTAINERS_CONF to put it elsewhere). It gives containers this machine's hard limits for
open files and processes (Podman's default asks for more than may be set here), and makes runc the
runtime when it is installed. Podman reads it when CONTAINERS_CONF names it:
  export CONTAINERS_CONF=$CONF
EOF
}

say() { printf 'offline-images: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

# --- names, derived from the Dockerfile and the compose file (never written twice) ---------------

# docker.io/library/NAME:TAG for a short name, as `FROM NAME:TAG` and `image: NAME:TAG` mean it.
qualified() {
  local name=$1 first=${1%%/*}
  if [[ $name == */* && ($first == *.* || $first == *:* || $first == localhost) ]]; then
    printf '%s\n' "$name"
  elif [[ $name == */* ]]; then
    printf 'docker.io/%s\n' "$name"
  else
    printf 'docker.io/library/%s\n' "$name"
  fi
}

# The image every stage of the Dockerfile builds FROM (one for all stages, or this script refuses).
dockerfile_base() {
  local bases
  bases=$(awk 'toupper($1) == "FROM" { for (i = 2; i <= NF; i++) if ($i !~ /^--/) { print $i; break } }' "$ROOT/Dockerfile" | sort -u)
  [[ -n $bases ]] || die "the Dockerfile has no FROM line"
  [[ $bases != *$'\n'* ]] || die "the Dockerfile's stages have several bases ($(tr '\n' ' ' <<<"$bases")); this script makes one"
  printf '%s\n' "$bases"
}

# The `image:` of a service in docker-compose.yml (services indented by two spaces, their keys by four).
compose_image() {
  awk -v service="$1" '
    /^services:/ { in_services = 1; next }
    in_services && /^[^ #]/ { in_services = 0 }
    in_services && /^  [^ #][^:]*:/ { current = $1; sub(/:$/, "", current); next }
    in_services && current == service && /^    image:/ {
      sub(/^    image:[ \t]*/, ""); sub(/[ \t]+#.*$/, ""); gsub(/["\047]/, ""); print; exit
    }
  ' "$ROOT/docker-compose.yml"
}

# node:24-bookworm-slim (or node:24.11.1-bookworm-slim): the npm version spec (24, 24.11.1) and
# the Debian suite (bookworm) of an official Node image's tag.
node_tag_parts() {
  local base=$1 tag
  [[ ${base%%:*} == node || ${base%%:*} == */node ]] || die "the Dockerfile's base $base is not a Node image; this script only makes node:<major>-<debian suite>[-slim]"
  tag=${base#*:}
  [[ $tag =~ ^([0-9]+(\.[0-9]+\.[0-9]+)?)-([a-z]+)(-slim)?$ ]] || die "the tag of $base is not <major>-<debian suite>[-slim]"
  NODE_VERSION_SPEC=${BASH_REMATCH[1]}
  DEBIAN_SUITE=${BASH_REMATCH[3]}
}

derive_names() {
  BASE_IMAGE=$(dockerfile_base)
  node_tag_parts "$BASE_IMAGE"
  REDIS_IMAGE=$(compose_image "$REDIS_SERVICE")
  [[ -n $REDIS_IMAGE ]] || die "docker-compose.yml has no image: for the $REDIS_SERVICE service"
}

# --- containers.conf --------------------------------------------------------------------------

hard_limit() { # hard_limit OPTION FALLBACK CAP: `ulimit -H OPTION`, FALLBACK when unlimited, at most CAP
  local value
  value=$(ulimit -H "$1")
  [[ $value =~ ^[0-9]+$ ]] || value=$2
  ((value <= $3)) || value=$3
  printf '%s\n' "$value"
}

write_conf() {
  local nofile nproc content
  nofile=$(hard_limit -n 1048576 1048576)
  nproc=$(hard_limit -u 32768 32768)
  content="# Written by scripts/offline-images.sh: use with  export CONTAINERS_CONF=$CONF
[containers]
# This machine's hard limits: Podman's default asks for more than may be set here
# (\"setrlimit RLIMIT_NOFILE: Operation not permitted\").
default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]
"
  if command -v runc >/dev/null 2>&1 || [[ -x /usr/sbin/runc ]]; then
    content+="[engine]
# runc where it is installed: crun refuses hybrid cgroup hierarchies.
runtime = \"runc\"
"
  fi
  mkdir -p "$(dirname "$CONF")"
  if [[ ! -f $CONF || $(<"$CONF")$'\n' != "$content" ]]; then
    printf '%s' "$content" >"$CONF.tmp.$$"
    mv "$CONF.tmp.$$" "$CONF"
  fi
  export CONTAINERS_CONF=$CONF
}

# --- the images ---------------------------------------------------------------------------------

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is missing: apt-get install $2"
}

image_exists() { podman image exists "$1"; }

WORK=""
cleanup() { [[ -z $WORK ]] || rm -rf "$WORK"; }
trap cleanup EXIT

npm_arch() {
  case $(uname -m) in
    x86_64) echo x64 ;;
    aarch64) echo arm64 ;;
    ppc64le) echo ppc64le ;;
    s390x) echo s390x ;;
    *) die "no node-linux-* package for this machine's architecture $(uname -m)" ;;
  esac
}

# The hooks' "$1" is the root mmdebstrap builds, expanded by the hook's own shell.
# shellcheck disable=SC2016
make_base() {
  local name=$1 node_package npm_package node_binary npm_dir version started=$SECONDS
  node_package="node-linux-$(npm_arch)@$NODE_VERSION_SPEC"
  # npm itself: this machine's version, from the registry (the package bundles its dependencies).
  npm_package="npm@$(npm --version)"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/gls-base.XXXXXX")
  say "making $name: $node_package and $npm_package from npm, Debian $DEBIAN_SUITE minbase from its mirror"
  mkdir "$WORK/node" "$WORK/npm"
  (cd "$WORK/node" && npm pack --silent "$node_package" >/dev/null) || die "npm pack $node_package failed"
  (cd "$WORK/npm" && npm pack --silent "$npm_package" >/dev/null) || die "npm pack $npm_package failed"
  tar -xzf "$WORK"/node/*.tgz -C "$WORK/node" package/bin/node package/package.json
  tar -xzf "$WORK"/npm/*.tgz -C "$WORK/npm"
  node_binary="$WORK/node/package/bin/node"
  npm_dir="$WORK/npm/package"
  version=$(node -p 'require(process.argv[1]).version' "$WORK/node/package/package.json")

  local hooks=(
    'mkdir -p "$1/usr/local/lib/node_modules" "$1/usr/local/bin" "$1/etc/ssl/certs"'
    "cp $(printf '%q' "$node_binary") \"\$1/usr/local/bin/node\""
    "cp -a $(printf '%q' "$npm_dir") \"\$1/usr/local/lib/node_modules/npm\""
    'ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"'
    'chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
    'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*'
  )
  local changes=(
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    --change "ENV NODE_VERSION=$version"
    --change 'CMD ["node"]'
  )
  if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    hooks+=('cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/ca-certificates.crt"')
    changes+=(--change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt")
  fi
  local hook_args=()
  for hook in "${hooks[@]}"; do hook_args+=("--customize-hook=$hook"); done
  mmdebstrap --variant=minbase --quiet "${hook_args[@]}" "$DEBIAN_SUITE" "$WORK/rootfs.tar" ||
    die "mmdebstrap failed (it needs Debian's mirror, and uidmap when not run as root)"
  podman import --quiet "${changes[@]}" "$WORK/rootfs.tar" "$name" >/dev/null
  cleanup
  WORK=""

  # The stand-in must run the Node the Dockerfile names.
  local reported
  reported=$(podman run --rm --network none "$name" node --version)
  [[ $reported == "v${NODE_VERSION_SPEC}."* || $reported == "v${NODE_VERSION_SPEC}" ]] || die "$name runs Node $reported, not $NODE_VERSION_SPEC"
  say "made $name (Node $reported, npm $(podman run --rm --network none "$name" npm --version)) in $((SECONDS - started)) s"
}

make_redis() {
  local name=$1 base=$2 started=$SECONDS
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/gls-redis.XXXXXX")
  say "making $name: $base plus Debian's redis-server"
  cat >"$WORK/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# As the official image: redis-server answers other containers without a password.
if [ "$1" = redis-server ]; then shift; exec redis-server --protected-mode no "$@"; fi
exec "$@"
EOF
  chmod 755 "$WORK/docker-entrypoint.sh"
  cat >"$WORK/Containerfile" <<EOF
FROM $base
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server && rm -rf /var/lib/apt/lists/*
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN mkdir /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["redis-server"]
EOF
  podman build --quiet --pull=never --format docker -t "$name" "$WORK" >/dev/null
  cleanup
  WORK=""
  say "made $name in $((SECONDS - started)) s"
}

make_images() {
  need podman podman
  need npm npm
  write_conf
  # One maker at a time (two test runs, or a person and a test run).
  exec 9>"$CONF.lock"
  flock 9
  local base redis
  base=$(qualified "$BASE_IMAGE")
  redis=$(qualified "$REDIS_IMAGE")
  if image_exists "$base"; then
    say "$base: present, kept"
  else
    need mmdebstrap mmdebstrap
    make_base "$base"
  fi
  if image_exists "$redis"; then
    say "$redis: present, kept"
  else
    make_redis "$redis" "$base"
  fi
  say "done. Podman needs the containers.conf in $CONF here:"
  say "  export CONTAINERS_CONF=$CONF"
  say "then: cp .env.example .env (and edit it), podman-compose up -d"
}

main() {
  local command=${1:-images}
  [[ $# -eq 0 ]] || shift
  case $command in
    images)
      [[ $# -eq 0 ]] || die "images takes no arguments (see --help)"
      derive_names
      make_images
      ;;
    conf)
      write_conf
      printf '%s\n' "$CONF"
      ;;
    env)
      write_conf
      printf 'export CONTAINERS_CONF=%q\n' "$CONF"
      ;;
    run)
      [[ $# -gt 0 ]] || die "run needs a command, e.g. scripts/offline-images.sh run podman-compose up -d"
      write_conf
      exec "$@"
      ;;
    names)
      derive_names
      printf 'base %s\nnode %s\ndebian %s\nredis %s\n' "$(qualified "$BASE_IMAGE")" "$NODE_VERSION_SPEC" "$DEBIAN_SUITE" "$(qualified "$REDIS_IMAGE")"
      ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"

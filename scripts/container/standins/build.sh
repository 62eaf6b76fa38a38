#!/usr/bin/env bash
# Build local stand-ins for the official base images (python, postgres, redis)
# out of Debian packages, for machines that cannot reach Docker Hub.
#
#   scripts/container/standins/build.sh [--rebuild]
#
# Images (cached: an existing tag is reused unless --rebuild is given):
#   $STANDIN_PREFIX/debian:bookworm            debootstrap --variant=minbase
#   $STANDIN_PREFIX/python:3.11-slim-bookworm  Debian's python3 (3.11), venv, pip
#   $STANDIN_PREFIX/postgres:15                Debian's postgresql-15, official-style entrypoint
#   $STANDIN_PREFIX/redis:7                    Debian's redis-server (7.0)
#   $STANDIN_PREFIX/nginx:1.27                 Debian's nginx (1.22), official-style user and logs
#
# With internet access none of this is needed: the Dockerfile and the compose
# file default to the official images (python:3.11-slim-bookworm, postgres:15, redis:7,
# nginx:1.27).
set -Eeuo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${STANDIN_PREFIX:-ticket-desk-standin}"
suite="${DEBIAN_SUITE:-bookworm}"
rebuild=0
for arg in "$@"; do
  case "$arg" in
    --rebuild) rebuild=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { printf '[standins] %s\n' "$*" >&2; }

have_image() { [ "$rebuild" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror this machine's apt already uses (it is reachable), unless
# DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR say otherwise.
detect_mirrors() {
  local targets
  # shellcheck disable=SC2016  # apt's format fields, not shell expansions
  targets="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null | sort -u || true)"
  mirror="${DEBIAN_MIRROR:-$(awk -v s="$suite" '$2 == s {print $1; exit}' <<<"$targets")}"
  security="${DEBIAN_SECURITY_MIRROR:-$(awk -v s="$suite-security" '$2 == s {print $1; exit}' <<<"$targets")}"
  mirror="${mirror:-http://deb.debian.org/debian/}"
  security="${security:-http://deb.debian.org/debian-security/}"
  mirror="${mirror%/}"; security="${security%/}"
}

build_base() {
  local tag="$prefix/debian:$suite"
  if have_image "$tag"; then log "reusing $tag"; return; fi
  command -v debootstrap >/dev/null || { log "debootstrap missing: apt-get install debootstrap"; exit 1; }
  detect_mirrors
  root="$(mktemp -d /tmp/standin-rootfs.XXXXXX)"
  trap 'rm -rf "$root" "$root.log"' EXIT
  log "debootstrap $suite from $mirror (a few minutes)"
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.log" 2>&1 \
    || { tail -n 30 "$root.log" >&2; rm -f "$root.log"; exit 1; }
  rm -f "$root.log"
  cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
  # Like Debian's official "slim" images: no docs, man pages or translations,
  # no recommends, no apt caches.
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
DPKG
  cat >"$root/etc/apt/apt.conf.d/docker-slim" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
APT
  # Like the official images' docker-clean: downloaded .debs never stay in a layer.
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
         "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  log "importing $tag"
  tar -C "$root" --numeric-owner -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["bash"]' - "$tag" >/dev/null
  rm -rf "$root"
}

build_from_dir() {  # build_from_dir <dir> <tag>
  local dir="$1" tag="$2"
  if have_image "$tag"; then log "reusing $tag"; return; fi
  log "building $tag"
  local out
  out="$(mktemp)"
  if ! docker build --network host --build-arg "BASE_IMAGE=$prefix/debian:$suite" \
         -t "$tag" "$here/$dir" >"$out" 2>&1; then
    tail -n 30 "$out" >&2; rm -f "$out"; exit 1
  fi
  rm -f "$out"
}

build_base
build_from_dir python   "$prefix/python:3.11-slim-$suite"
build_from_dir postgres "$prefix/postgres:15"
build_from_dir redis    "$prefix/redis:7"
build_from_dir nginx    "$prefix/nginx:1.27"
docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep "^$prefix/" >&2

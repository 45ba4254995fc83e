#!/usr/bin/env bash
# Builds LOCAL STAND-INS for the base images that the Dockerfiles (src/*/Dockerfile) and the dev
# overlay (k8s/overlays/dev/azurite.yaml) name, for a machine that cannot reach a container
# registry. With a registry, do not run this: `docker build` pulls the real images.
#
#   k8s/images/build-standins.sh            # then: k8s/images/build-images.sh
#
# Each stand-in is Debian bookworm (debootstrap --variant=minbase, from the apt mirror this machine
# uses, imported with `docker import`) plus what this machine has:
#   mcr.microsoft.com/dotnet/aspnet:X  the machine's .NET and ASP.NET Core runtimes, the official
#                                      image's "app" user (uid 1654) and APP_UID
#   mcr.microsoft.com/dotnet/sdk:X     the aspnet stand-in plus the machine's .NET SDK
#   node:N                             the machine's Node.js and npm, user "node" (uid 1000)
#   .../azurite:V                      the node stand-in plus `npm install -g azurite@V`
# The tags must match what the machine has (the SDK's major.minor, Node's major); a mismatch stops
# the script rather than label one version as another. Every stand-in carries the labels
# org.opencontainers.image.description "LOCAL STAND-IN ...", chat.local-stand-in=true and
# chat.recipe (what went into it: a stand-in whose recipe still holds is not built again; --force
# builds them all). An image of the same name that is not a stand-in (a real one, pulled earlier)
# is left alone.
#
# The SDK and Node stand-ins trust the certificate authorities this machine adds to Debian's
# (/usr/local/share/ca-certificates), so that `dotnet restore` and `npm ci` inside `docker build`
# reach the package feeds the way this machine does; the runtime stand-ins do not.
#
# Environment: DOCKER_HOST (which engine), STANDIN_CACHE (where the debootstrap root filesystem is
# kept between runs; default /var/tmp/chat-standins), DEBIAN_MIRROR (default: debootstrap's).
# Needs root (debootstrap), debootstrap and docker.
set -euo pipefail
cd "$(dirname "$0")/../.."

force=false
[ "${1:-}" = "--force" ] && force=true

cache=${STANDIN_CACHE:-/var/tmp/chat-standins}
suite=bookworm
# What the .NET runtime (libicu, libssl, zlib, tzdata, ca-certificates) and Node (libstdc++) need;
# passwd for useradd.
packages=ca-certificates,libicu72,libssl3,zlib1g,libstdc++6,libgcc-s1,tzdata,passwd
label_description="LOCAL STAND-IN built by k8s/images/build-standins.sh, not the official image"

for tool in docker debootstrap; do
  command -v "$tool" >/dev/null || { echo "build-standins: '$tool' is not installed (Debian: apt-get install docker.io debootstrap)." >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "build-standins: debootstrap needs root." >&2; exit 1; }
export DOCKER_BUILDKIT=0 # the classic builder takes FROM images from the local store, never pulls

# The base images to stand in for: every FROM of the Dockerfiles and the dev overlay's Azurite image.
mapfile -t wanted < <(
  { awk 'toupper($1) == "FROM" { print $2 }' src/*/Dockerfile
    sed -n 's/^ *image: *\(.*azurite.*\)$/\1/p' k8s/overlays/dev/azurite.yaml; } | sort -u)

label() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }
is_standin() { [ "$(label "$1" chat.local-stand-in)" = true ]; }
exists() { docker image inspect "$1" >/dev/null 2>&1; }
# Whether image $1 is a stand-in made by recipe $2 (what went into it): then it is not built again.
current() { ! $force && [ "$(label "$1" chat.recipe)" = "$2" ]; }
labels() { # Dockerfile LABEL line for a stand-in of $1, made from $2 by recipe $3
  printf 'LABEL chat.local-stand-in=true org.opencontainers.image.description="%s" chat.stands-in-for="%s" chat.made-from="%s" chat.recipe="%s"\n' \
    "$label_description" "$1" "$2" "$3"
}

# Builds image $1 from a Dockerfile on stdin; further arguments are "dir:path..." groups packed into
# the build context under ctx/ (streamed as a tar, nothing copied to disk).
build() {
  local tag=$1; shift
  local dir; dir=$(mktemp -d)
  cat >"$dir/Dockerfile"
  local members=(-C "$dir" Dockerfile)
  while [ $# -gt 0 ]; do
    local root=${1%%:*} paths=${1#*:}; shift
    members+=(-C "$root")
    for p in $paths; do members+=("./$p"); done
  done
  echo "==> $tag"
  if ! tar -c --transform 's,^\./,ctx/,S' "${members[@]}" \
      | nice -n 10 docker build --network host -t "$tag" - >"$dir/log" 2>&1; then
    tail -40 "$dir/log" >&2; rm -rf "$dir"; exit 1
  fi
  rm -rf "$dir"
}

# 1. Debian root filesystem (cached) → chat-standin/debian
# Named after what goes into it (bump rootfs_recipe when the trimming below changes).
rootfs_recipe=2
rootfs_id=$suite-minbase-$(echo "$rootfs_recipe $packages" | md5sum | cut -c1-8)
rootfs_tar=$cache/$rootfs_id.tar
if [ ! -s "$rootfs_tar" ]; then
  echo "==> debootstrap --variant=minbase $suite (cached in $rootfs_tar)"
  mkdir -p "$cache"
  rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$rootfs"' EXIT
  nice -n 10 debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" ${DEBIAN_MIRROR:-} >"$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; exit 1; }
  # Not needed in an image: apt's package lists and caches, manuals, translations, documentation
  # (the copyright files stay).
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
  find "$rootfs"/usr/share/doc -type f ! -name copyright -delete
  tar -C "$rootfs" -cf "$rootfs_tar.partial" . && mv "$rootfs_tar.partial" "$rootfs_tar"
  rm -rf "$rootfs" "$rootfs.log"; trap - EXIT
fi
base=chat-standin/debian:$rootfs_id
if $force || ! exists "$base"; then
  echo "==> docker import $base"
  docker import -c "LABEL chat.local-stand-in=true" -c 'CMD ["bash"]' \
    -c "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$rootfs_tar" "$base" >/dev/null
fi

# What the machine has; each stand-in's recipe names the parts, so that a new SDK, Node or root
# filesystem builds the stand-ins again.
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime_version=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)
sdk_version=$(dotnet --version)
node=$(readlink -f "$(command -v node)")
node_version=$("$node" --version)
# The machine's own certificate authorities (possibly none), packed as ctx/ca-certificates/.
rm -rf "$cache/ca" && mkdir -p "$cache/ca" && cp -r /usr/local/share/ca-certificates "$cache/ca/"
machine_cas="$cache/ca:ca-certificates"
cas_id=$(cd "$cache/ca" && find . -type f -exec md5sum {} + | sort | md5sum | cut -c1-8)
trust_machine_cas='COPY ctx/ca-certificates/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null'
aspnet=chat-standin/dotnet-aspnet:$runtime_version
aspnet_recipe="$rootfs_id dotnet $runtime_version"
node_image=chat-standin/node:${node_version#v}
node_recipe="$rootfs_id node $node_version cas $cas_id"

build_aspnet() {
  current "$aspnet" "$aspnet_recipe" && return
  build "$aspnet" "$dotnet_root:dotnet host shared/Microsoft.NETCore.App/$runtime_version shared/Microsoft.AspNetCore.App/$runtime_version LICENSE.txt ThirdPartyNotices.txt" <<EOF
FROM $base
COPY ctx/ /usr/share/dotnet/
# As the official runtime-deps image: the non-root "app" user and its uid in APP_UID.
ENV APP_UID=1654 ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true \\
    DOTNET_VERSION=$runtime_version ASPNET_VERSION=$runtime_version
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \\
 && groupadd --gid=\$APP_UID app && useradd --no-log-init --uid=\$APP_UID --gid=\$APP_UID --create-home app
$(labels "mcr.microsoft.com/dotnet/aspnet" "this machine's .NET runtimes $runtime_version on Debian $suite" "$aspnet_recipe")
EOF
}

build_node() {
  current "$node_image" "$node_recipe" && return
  build "$node_image" "$(dirname "$node"):$(basename "$node")" "$(npm root -g):npm" "$machine_cas" <<EOF
FROM $base
COPY ctx/$(basename "$node") /usr/local/bin/node
COPY ctx/npm /usr/local/lib/node_modules/npm
$trust_machine_cas
# Node reads its own CA list; this makes it read the system's as well.
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt NODE_VERSION=${node_version#v}
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --no-log-init --uid 1000 --gid node --shell /bin/bash --create-home node
CMD ["node"]
$(labels "node" "this machine's Node.js $node_version on Debian $suite" "$node_recipe")
EOF
}

# 2. One stand-in per image wanted, built unless an up-to-date one is there.
for image in "${wanted[@]}"; do
  if exists "$image" && ! is_standin "$image"; then
    echo "==> $image: a real image of that name is present; left alone"; continue
  fi
  tag=${image##*:}
  case "$image" in
    */dotnet/aspnet:*|*/dotnet/sdk:*)
      [[ "$sdk_version" == "$tag".* && "$runtime_version" == "$tag".* ]] \
        || { echo "build-standins: $image wants .NET $tag; this machine has SDK $sdk_version, runtime $runtime_version." >&2; exit 1; }
      if [[ "$image" == */aspnet:* ]]; then
        current "$image" "$aspnet_recipe" || { build_aspnet; docker tag "$aspnet" "$image"; }
        continue
      fi
      recipe="$aspnet_recipe sdk $sdk_version cas $cas_id"
      current "$image" "$recipe" && continue
      build_aspnet
      sdk_parts=$(cd "$dotnet_root" && ls -d sdk/"$sdk_version" sdk-manifests packs templates metadata dnx 2>/dev/null | tr '\n' ' ')
      build "$image" "$dotnet_root:$sdk_parts" "$machine_cas" <<EOF
FROM $aspnet
$(for part in $sdk_parts; do echo "COPY ctx/$part /usr/share/dotnet/$part"; done)
$trust_machine_cas
ENV DOTNET_SDK_VERSION=$sdk_version DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \\
    NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE:-online}
$(labels "$image" "this machine's .NET SDK $sdk_version on the aspnet stand-in" "$recipe")
EOF
      ;;
    node:*)
      [[ "$node_version" == "v$tag".* ]] \
        || { echo "build-standins: $image wants Node $tag; this machine has $node_version." >&2; exit 1; }
      current "$image" "$node_recipe" || { build_node; docker tag "$node_image" "$image"; }
      ;;
    */azurite:*)
      recipe="$node_recipe azurite $tag"
      current "$image" "$recipe" && continue
      build_node
      build "$image" <<EOF
FROM $node_image
WORKDIR /opt/azurite
RUN npm install -g --no-audit --no-fund --loglevel=error --cache /tmp/npm-cache azurite@$tag && rm -rf /tmp/npm-cache
# As the official image: the data folder is /data; the k8s manifests run it as "node" (uid 1000).
RUN mkdir -p /data && chown node:node /data
EXPOSE 10000 10001 10002
CMD ["azurite", "-l", "/data", "--blobHost", "0.0.0.0", "--queueHost", "0.0.0.0", "--tableHost", "0.0.0.0"]
$(labels "$image" "npm azurite@$tag on the Node.js stand-in" "$recipe")
EOF
      ;;
    *)
      echo "build-standins: no stand-in known for $image (named in src/*/Dockerfile or k8s/overlays/dev)." >&2; exit 1 ;;
  esac
done

docker image ls --filter label=chat.local-stand-in=true --format '{{.Repository}}:{{.Tag}}\t{{.Size}}'

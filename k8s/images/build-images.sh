#!/usr/bin/env bash
# Builds the product's images from the repository's Dockerfiles, unchanged, with the tags k8s/
# deploys (k8s/overlays/*/kustomization.yaml: images → newTag):
#
#   k8s/images/build-images.sh                     # chat-silo:<tag> and chat-web:<tag>
#   k8s/images/build-images.sh chat-web:0.1.0      # only this one
#
# Without a registry, run k8s/images/build-standins.sh first: `docker build` then finds the base
# images under the names the Dockerfiles use and does not pull. The build runs on the host's network
# (--network host), so that `dotnet restore` and `npm ci` inside reach the package feeds the way this
# machine does, and with the classic builder, which takes FROM images from the local store.
# Environment: DOCKER_HOST (which engine).
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOCKER_BUILDKIT=0

images=("$@")
if [ ${#images[@]} -eq 0 ]; then
  tag=$(awk '/newTag:/ { print $2; exit }' k8s/overlays/dev/kustomization.yaml)
  images=("chat-silo:$tag" "chat-web:$tag")
fi

for image in "${images[@]}"; do
  case "${image%%:*}" in
    chat-silo) dockerfile=src/Chat.Silo/Dockerfile ;;
    chat-web) dockerfile=src/Chat.Web/Dockerfile ;;
    *) echo "build-images: no Dockerfile for $image (known: chat-silo, chat-web)." >&2; exit 1 ;;
  esac
  echo "==> $image from $dockerfile"
  log=$(mktemp)
  if ! nice -n 10 docker build --network host -f "$dockerfile" -t "$image" . >"$log" 2>&1; then
    tail -40 "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
  docker image ls "$image" --format '    {{.Repository}}:{{.Tag}} {{.Size}}'
done

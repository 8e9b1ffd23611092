# The kind stack the local scripts work on (up.sh, down.sh, output.sh; sourced, not run): its names,
# and the secrets passphrase Pulumi needs for it. Pulumi reads a stack's passphrase only from
# PULUMI_CONFIG_PASSPHRASE, PULUMI_CONFIG_PASSPHRASE_FILE or a prompt, and Pulumi.kind.yaml commits
# the salt of the empty passphrase, so unless you set your own, these scripts use the empty one.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the names are for the scripts that source this file
readonly STACK=kind
# shellcheck disable=SC2034
readonly CLUSTER=observability
# shellcheck disable=SC2034
readonly CONTEXT="kind-${CLUSTER}"

# use_kind_passphrase: exports the empty passphrase unless you set one; then kind_passphrase_empty=1.
use_kind_passphrase() {
  if [[ -z "${PULUMI_CONFIG_PASSPHRASE+set}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
    export PULUMI_CONFIG_PASSPHRASE=""
    kind_passphrase_empty=1
  fi
}

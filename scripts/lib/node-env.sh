# Sourced: puts the project's Node 24 and pnpm first on PATH (provisioning them if needed).
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [[ ! -x "$NODE_HOME/bin/node" || ! -x "$NODE_HOME/bin/pnpm" ]]; then
  "$REPO_ROOT/scripts/provision/node.sh"
fi
export PATH="$NODE_HOME/bin:$PATH"

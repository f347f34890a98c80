# The deploy steps every cluster shares, sourced by scripts/minikube-up (Minikube, Redpanda) and
# scripts/cluster deploy (the project's own cluster, Kafka standing in for Redpanda):
#   1. Dapr from the chart inside the pinned Dapr Go module, with charts/values-dapr.yaml;
#   2. the broker's topics, with their partitions;
#   3. the app chart with secrets generated once (a values file, mode 600, never on a command
#      line) and --wait.
# The caller defines `helm` and `kubectl` (pointing at its cluster), sets DAPR_CHART
# (scripts/provision/k8s-tools.sh) and installs the broker itself. Never run.

NAMESPACE="todo"
RELEASE="todo-chatbot"
APPS=(chat-api task-reminder notifier)
TOPICS=(task-events:3 task-updates:3 reminders:3 task-events-dlq:1 reminders-dlq:1)

# deploy_dapr LOG [HELM_ARGS...]: Dapr's control plane in dapr-system (its chart's default tag is
# `edge`: the pinned version is set).
deploy_dapr() {
  local log="$1"; shift
  run_logged "installing Dapr $DAPR_VERSION (namespace dapr-system)" "$log" \
    helm upgrade --install dapr "$DAPR_CHART" --namespace dapr-system --create-namespace \
      --values "$REPO_ROOT/charts/values-dapr.yaml" --set-string "global.tag=$DAPR_VERSION" "$@" \
      --wait --timeout 15m
}

# deploy_topics LIST_CMD CREATE_CMD: LIST_CMD prints the broker's topics, one a line;
# `CREATE_CMD NAME PARTITIONS` creates one. Existing topics are left as they are.
deploy_topics() {
  local list_cmd="$1" create_cmd="$2" existing topic name partitions
  existing="$($list_cmd)" || die "could not list the broker's topics ($list_cmd)"
  for topic in "${TOPICS[@]}"; do
    name="${topic%%:*}" partitions="${topic##*:}"
    if grep -qx "$name" <<<"$existing"; then
      ok "topic $name exists"
    else
      $create_cmd "$name" "$partitions" >/dev/null || die "could not create topic $name ($create_cmd $name $partitions)"
      ok "topic $name created ($partitions partitions)"
    fi
  done
}

# deploy_secrets FILE: the app chart's secrets as a values file (JSON, which helm reads as YAML),
# generated once and reused (an upgrade keeps the database password). Each app gets its own pair
# of Dapr tokens. Delete the file to rotate them, then restart the pods.
deploy_secrets() {
  local file="$1"
  [[ -s "$file" ]] && return 0
  mkdir -p "$(dirname "$file")"
  (umask 077 && node -e '
    const { randomBytes } = require("node:crypto");
    const r = (n) => randomBytes(n).toString("hex");
    const tokens = Object.fromEntries(process.argv.slice(1).map((a) => [a, { daprApiToken: r(24), appApiToken: r(24) }]));
    console.log(JSON.stringify({ secrets: { authJwtSecret: r(32), tokens }, postgresql: { password: r(16) } }, null, 2));
  ' "${APPS[@]}" >"$file")
  ok "generated secrets in $file"
}

# deploy_secret FILE PATH: one value of that file, e.g. secrets.authJwtSecret.
deploy_secret() {
  node -e '
    const [file, path] = process.argv.slice(1);
    const value = path.split(".").reduce((o, k) => o?.[k], JSON.parse(require("node:fs").readFileSync(file, "utf8")));
    if (typeof value !== "string") { console.error(`no ${path} in ${file}`); process.exit(1); }
    console.log(value);
  ' "$1" "$2"
}

# deploy_app LOG TAG SECRETS_FILE [HELM_ARGS...]: the app chart, images :TAG, waiting for every
# pod to be ready (and the migration hook to finish).
deploy_app() {
  local log="$1" tag="$2" secrets="$3"; shift 3
  run_logged "installing the todo-chatbot chart (namespace $NAMESPACE, images :$tag)" "$log" \
    helm upgrade --install "$RELEASE" "$REPO_ROOT/charts/todo-chatbot" --namespace "$NAMESPACE" --create-namespace \
      "$@" --values "$secrets" --set-string "image.tag=$tag" --wait --timeout 10m
  kubectl -n "$NAMESPACE" get pods -l "app.kubernetes.io/instance=$RELEASE" >&2
}

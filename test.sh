#!/usr/bin/env bash
# Runs every NetViz test on this machine, from a clean clone, as root:
# installs/starts what the tests need (idempotently), builds, runs each test
# project in order (unit, component, integration, end-to-end), prints the
# passed/failed/skipped counts per project and in total.
# Exits non-zero on any failure, on any skipped test, or when no test ran:
# a skipped test is a test that did not prove anything.
#
# The tests run against this machine's kernel and Docker engine, so the run also
# proves it left them as it found them (scripts/test-host-check.sh, counted in the
# summary as "host checks"): a sentinel container started on the host's engine
# before the tests and every container running then must still be running, not
# restarted; the engine, swarm state, daemon.json, forwarding sysctls and the
# engine's bridges must be unchanged; and nothing named with a test prefix may be
# left (containers, networks, namespaces, links, iptables rules, private engines).
# Test prefixes: nvnl (netlink), nvlive (live monitor), nvnd (Docker and NAT
# sources), nvsn (lesson scenario), nvpe (private engine), nvbrd (beyond the lesson), nvhost (agents and hub),
# nvpath (packet paths), nve2e (end-to-end), nvcls (classroom end-to-end), nvdet (details end-to-end), nvimg (the
# container image), nvrender (live placement end-to-end), nvidle (namespace rule generations), nvtest (this script's
# sentinel); Docker objects are also labelled netviz.test=<prefix>. tests/README.md has the rules. Images are not
# leftovers: the container image test builds netviz:test on local base images netviz-base/*:bookworm
# (scripts/build-image.sh), kept as a cache.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"

projects=(NetViz.Core.Tests NetViz.Web.Tests NetViz.IntegrationTests NetViz.E2E)
results=$root/TestResults/netviz

if ((EUID != 0)); then
    echo "test.sh: run as root: the integration tests create network namespaces, links and containers." >&2
    exit 1
fi

# --- what the tests need -----------------------------------------------------
# systemd: systemd-analyze, systemd-sysusers and systemctl --root for the tests of
# the service unit and the install script (nothing is booted).
# End-to-end tests drive the distribution's Chromium; NETVIZ_TEST_CHROMIUM may
# point at another build (then the chromium package is not required).
# fonts-noto-cjk: the Korean UI and lesson (issue 13) render Hangul, not boxes, in the headless Chromium.
# debootstrap: the local base images of the container image test (scripts/build-base-images.sh).
packages=(docker.io iptables busybox-static iproute2 systemd fonts-noto-cjk debootstrap)
export NETVIZ_TEST_CHROMIUM=${NETVIZ_TEST_CHROMIUM:-/usr/bin/chromium}
[[ -x "$NETVIZ_TEST_CHROMIUM" ]] || packages+=(chromium)
scripts/ensure-packages.sh "${packages[@]}"

scripts/ensure-docker.sh
scripts/build-lab-image.sh
scripts/ensure-npm.sh

if ! command -v dotnet >/dev/null 2>&1; then
    echo "test.sh: the .NET SDK 10 (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux" >&2
    exit 1
fi

# --- build once, then test project by project --------------------------------
echo "test.sh: building NetViz.sln"
dotnet build NetViz.sln --nologo -v quiet
# The end-to-end fixture runs the published app; publishing here keeps build
# output out of the test log (the fixture's own call is then a no-op).
scripts/publish.sh >/dev/null

rm -rf "$results"
mkdir -p "$results"

# --- before the tests: what must survive them -----------------------------------
host_checks="host checks"
trap 'scripts/test-host-check.sh remove-sentinel' EXIT
scripts/test-host-check.sh record "$results/host-before"

# trx_results FILE: "OUTCOME<TAB>TEST NAME" for every test result in a trx file.
# Counted from the results themselves: the <Counters> summary reports xunit's
# skipped tests only as total - executed, with notExecuted="0".
trx_results() {
    grep -o '<UnitTestResult [^>]*' "$1" 2>/dev/null |
        sed -n 's/.* testName="\([^"]*\)".* outcome="\([^"]*\)".*/\2\t\1/p' || true
}

# Outcomes that are a verdict; anything else (xunit's Skip lands as NotExecuted)
# means the test did not run to one.
passed_outcomes='Passed'
failed_outcomes='Failed|Error|Timeout|Aborted'

# count_outcomes ERE: results on stdin whose outcome matches.
count_outcomes() { cut -f1 | grep -cxE "$1" || true; }

# results_of ROW: "OUTCOME<TAB>NAME" for a test project (from its trx file) or for the host checks.
results_of() {
    if [[ "$1" == "$host_checks" ]]; then
        cat "$results/host-checks.txt" 2>/dev/null || true
    else
        trx_results "$results/$1.trx"
    fi
}

# count_row ROW: fills total/passed/failed/skipped for one summary row.
count_row() {
    local results_of_row
    results_of_row=$(results_of "$1")
    total[$1]=$(count_outcomes '.+' <<<"$results_of_row")
    passed[$1]=$(count_outcomes "$passed_outcomes" <<<"$results_of_row")
    failed[$1]=$(count_outcomes "$failed_outcomes" <<<"$results_of_row")
    skipped[$1]=$((total[$1] - passed[$1] - failed[$1]))
}

declare -A total passed failed skipped exit_code
for project in "${projects[@]}"; do
    echo
    echo "=== $project"
    trx=$results/$project.trx
    set +e
    dotnet test "tests/$project" --no-build --nologo \
        --results-directory "$results" --logger "trx;LogFileName=$project.trx" \
        --logger "console;verbosity=normal"
    exit_code[$project]=$?
    set -e
    count_row "$project"
    if [[ ! -f "$trx" && ${exit_code[$project]} -eq 0 ]]; then
        # No result file although dotnet test succeeded: do not call it a pass.
        exit_code[$project]=1
    fi
done

# --- after the tests: the machine as it was ---------------------------------------
echo
echo "=== $host_checks"
set +e
scripts/test-host-check.sh verify "$results/host-before" >"$results/host-checks.txt"
exit_code[$host_checks]=$?
set -e
sed 's/^/  /' "$results/host-checks.txt"
scripts/test-host-check.sh remove-sentinel
count_row "$host_checks"
rows=("${projects[@]}" "$host_checks")

# --- summary -----------------------------------------------------------------
status=0
sum_total=0 sum_passed=0 sum_failed=0 sum_skipped=0
echo
echo "=== Test summary (trx files in ${results#"$root"/})"
printf '%-26s %6s %7s %7s %8s  %s\n' Project Total Passed Failed Skipped Result
for project in "${rows[@]}"; do
    verdict=ok
    if ((exit_code[$project] != 0 || failed[$project] > 0)); then
        verdict=FAILED
    elif ((skipped[$project] > 0)); then
        verdict="FAILED (skipped tests)"
    elif ((total[$project] == 0)); then
        verdict="no tests"
    fi
    [[ "$verdict" == FAILED* ]] && status=1
    printf '%-26s %6d %7d %7d %8d  %s\n' "$project" "${total[$project]}" "${passed[$project]}" \
        "${failed[$project]}" "${skipped[$project]}" "$verdict"
    sum_total=$((sum_total + total[$project]))
    sum_passed=$((sum_passed + passed[$project]))
    sum_failed=$((sum_failed + failed[$project]))
    sum_skipped=$((sum_skipped + skipped[$project]))
done
printf '%-26s %6d %7d %7d %8d\n' TOTAL "$sum_total" "$sum_passed" "$sum_failed" "$sum_skipped"

for project in "${rows[@]}"; do
    results_of "$project" | while IFS=$'\t' read -r outcome name; do
        if [[ "$outcome" =~ ^($failed_outcomes)$ ]]; then
            echo "  FAILED  $project: $name ($outcome)"
        elif ! [[ "$outcome" =~ ^($passed_outcomes)$ ]]; then
            echo "  SKIPPED $project: $name ($outcome)"
        fi
    done
done

if ((sum_total == 0)); then
    echo "test.sh: no test ran at all." >&2
    status=1
fi
if ((status != 0)); then
    echo "test.sh: FAILED" >&2
else
    echo "test.sh: all $sum_passed tests passed"
fi
exit $status

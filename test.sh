#!/usr/bin/env bash
# Runs every NetViz test on this machine, from a clean clone, as root:
# installs/starts what the tests need (idempotently), builds, runs each test
# project in order (unit, component, integration, end-to-end), prints the
# passed/failed/skipped counts per project and in total.
# Exits non-zero on any failure, on any skipped test, or when no test ran:
# a skipped test is a test that did not prove anything.
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
# End-to-end tests drive the distribution's Chromium; NETVIZ_TEST_CHROMIUM may
# point at another build (then the chromium package is not required).
packages=(docker.io iptables busybox-static iproute2)
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

# trx_attr FILE ATTRIBUTE: a counter from the trx <Counters .../> element.
trx_attr() {
    local value
    value=$(grep -o "<Counters [^>]*" "$1" 2>/dev/null | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]\+' || true)
    echo "${value:-0}"
}

# trx_tests FILE OUTCOME: names of the tests with that outcome.
trx_tests() {
    grep -o '<UnitTestResult [^>]*' "$1" 2>/dev/null | grep "outcome=\"$2\"" |
        sed -n 's/.* testName="\([^"]*\)".*/\1/p' || true
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
    total[$project]=$(trx_attr "$trx" total)
    passed[$project]=$(trx_attr "$trx" passed)
    failed[$project]=$(($(trx_attr "$trx" failed) + $(trx_attr "$trx" error) + $(trx_attr "$trx" timeout) + $(trx_attr "$trx" aborted)))
    # xunit's [Fact(Skip=...)] lands in the trx as outcome NotExecuted.
    skipped[$project]=$(($(trx_attr "$trx" notExecuted) + $(trx_attr "$trx" inconclusive) + $(trx_attr "$trx" notRunnable)))
    if [[ ! -f "$trx" && ${exit_code[$project]} -eq 0 ]]; then
        # No result file although dotnet test succeeded: do not call it a pass.
        exit_code[$project]=1
    fi
done

# --- summary -----------------------------------------------------------------
status=0
sum_total=0 sum_passed=0 sum_failed=0 sum_skipped=0
echo
echo "=== Test summary (trx files in ${results#"$root"/})"
printf '%-26s %6s %7s %7s %8s  %s\n' Project Total Passed Failed Skipped Result
for project in "${projects[@]}"; do
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

for project in "${projects[@]}"; do
    trx=$results/$project.trx
    while IFS= read -r name; do
        [[ -n "$name" ]] && echo "  FAILED  $project: $name"
    done < <(trx_tests "$trx" Failed)
    while IFS= read -r name; do
        [[ -n "$name" ]] && echo "  SKIPPED $project: $name"
    done < <(trx_tests "$trx" NotExecuted)
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

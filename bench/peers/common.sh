# Sourced by bench/run-*-peer(s).sh: moves to the repository root, finds the JDK, and sets $py to a Python that
# imports the given modules (PULSEMIND_PYTHON, default /tmp/oracle/bin/python; tools/oracle/README.md sets up the venv).
#   . "$(dirname "$(readlink -f "$0")")/peers/common.sh" SCRIPT-NAME MODULE...
pm_script=$1; shift
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
cd "$root"
. bin/jdk.sh
pm_find_jdk || exit 1
py=${PULSEMIND_PYTHON:-/tmp/oracle/bin/python}
"$py" -c "import $(IFS=,; echo "$*")" || { echo "$pm_script: $py lacks one of: $*" >&2; exit 1; }

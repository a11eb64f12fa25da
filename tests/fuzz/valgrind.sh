#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# valgrind.sh BIN OUTDIR - traced runs of icmpcount (a dynamic glibc build)
# under memcheck: counting ping on loopback, then with -x, then with -j -i 1.
# Each must be clean (no error, no definite or indirect leak) and count the
# pings.  Other processes may send at the same time: only ping's line is
# checked.  Run as root, from the top of the tree.
set -u
bin=$1
out=$2
supp=tests/fuzz/valgrind.supp
status=0
mkdir -p "$out"

# run NAME ARGS...: valgrind icmpcount ARGS, output in $out/NAME.{out,err}
run() {
	name=$1
	shift
	printf '  %-5s %s\n' VG "icmpcount $*"
	"${VALGRIND:-valgrind}" --quiet --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--track-fds=no --suppressions="$supp" \
		"$bin" "$@" >"$out/$name.out" 2>"$out/$name.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "valgrind: icmpcount $*: exit $rc"
		cat "$out/$name.err"
		status=1
		return 1
	fi
	return 0
}

# expect NAME PATTERN WHAT: a line of $out/NAME.out matches PATTERN.
expect() {
	if ! grep -Eq "$2" "$out/$1.out"; then
		echo "valgrind: $1: $3 (no line matching '$2' in $out/$1.out)"
		cat "$out/$1.out"
		status=1
	fi
}

if run entry -c 'ping -c 3 -i 0.2 127.0.0.1'; then
	expect entry '^@\[ping\]: 3$' "ping's 3 echo requests are not counted"
fi
if run exit -x -c 'ping -c 3 -i 0.2 127.0.0.1'; then
	expect exit '^@\[ping\]: 3$' "-x: ping's 3 echo requests are not counted"
fi
if run json -j -i 1 -c 'ping -c 4 -i 0.5 127.0.0.1'; then
	expect json '^\{"event":"interval",' "-j -i 1: no interval line"
	expect json '^\{"event":"done",.*\{"comm":"ping","family":"ipv4","count":4\}' \
		"-j -i 1: ping's 4 echo requests are not in the done line"
fi
exit $status

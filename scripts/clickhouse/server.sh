# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's clickhouse-server (18.16) for xhop's tests and benches, started
# by them, never by systemd: as user clickhouse, with a config file of its
# own, its data in a folder the caller made (removed by the caller),
# listening on 127.0.0.1 inside a network namespace. Source this, then:
#
#   ch_start NAME DIR NS HTTP TCP [SHARD_TCP...]
#                     a server NAME with data in DIR/NAME, in namespace NS,
#                     HTTP and native TCP ports on its 127.0.0.1; with
#                     SHARD_TCP ports, a cluster "xhop_two" of one shard
#                     per port (127.0.0.1) for Distributed tables.
#                     Waits until it answers (18.16 starts in about a
#                     second, more on a busy machine). Sets CH_PID[NAME].
#   ch_stop NAME [SIG] SIG (default TERM), wait for the exit, SIGKILL after
#                     30 s (18.16 waits for open connections to close)
#   ch_q NAME SQL     run SQL (one statement) on NAME; its answer on stdout
#   ch_sql NAME       run the statements on stdin (each ending in ";")
#   ch_url NAME       http://127.0.0.1:PORT of NAME

declare -gA CH_PID=() CH_NS=() CH_HTTP=() CH_CONF=()
CH_BIN=${CH_BIN:-/usr/sbin/clickhouse-server}
CH_START_WAIT=${CH_START_WAIT:-60}

ch_url() { echo "http://127.0.0.1:${CH_HTTP[$1]}"; }

ch_config()
{
	local name=$1 dir=$2 http=$3 tcp=$4 p
	shift 4
	cat <<-XML
	<?xml version="1.0"?>
	<yandex>
	  <logger><level>warning</level><log>$dir/server.log</log>
	    <errorlog>$dir/server.err.log</errorlog><size>10M</size><count>1</count></logger>
	  <display_name>$name</display_name>
	  <listen_host>127.0.0.1</listen_host>
	  <http_port>$http</http_port>
	  <tcp_port>$tcp</tcp_port>
	  <path>$dir/data/</path>
	  <tmp_path>$dir/tmp/</tmp_path>
	  <user_files_path>$dir/user_files/</user_files_path>
	  <format_schema_path>$dir/format_schemas/</format_schema_path>
	  <users_config>$dir/users.xml</users_config>
	  <default_profile>default</default_profile>
	  <default_database>default</default_database>
	  <max_concurrent_queries>50</max_concurrent_queries>
	  <!-- small caches: a 2-core test machine runs several servers -->
	  <mark_cache_size>16777216</mark_cache_size>
	  <uncompressed_cache_size>16777216</uncompressed_cache_size>
	  <mlock_executable>false</mlock_executable>
	XML
	if (($#)); then
		echo "  <remote_servers><xhop_two>"
		for p in "$@"; do
			echo "    <shard><replica><host>127.0.0.1</host><port>$p</port></replica></shard>"
		done
		echo "  </xhop_two></remote_servers>"
	fi
	echo "</yandex>"
}

ch_users()
{
	cat <<-XML
	<?xml version="1.0"?>
	<yandex>
	  <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
	  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
	    <profile>default</profile><quota>default</quota></default></users>
	  <quotas><default></default></quotas>
	</yandex>
	XML
}

# running, not a zombie waiting to be reaped
ch_alive()
{
	local s
	[[ -n ${CH_PID[$1]:-} ]] || return 1
	s=$(cat "/proc/${CH_PID[$1]}/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[[ ${s%% *} != Z ]]
}

ch_ready()
{
	[[ $(ip netns exec "${CH_NS[$1]}" curl -s --max-time 2 "$(ch_url "$1")/ping") == "Ok." ]]
}

# (re)start NAME from its config: data and config stay in DIR/NAME
ch_run()
{
	local name=$1 dir=${CH_CONF[$1]%/*} i
	ip netns exec "${CH_NS[$name]}" setpriv --reuid clickhouse --regid clickhouse --init-groups \
		"$CH_BIN" --config-file="${CH_CONF[$name]}" >"$dir/stdout.log" 2>&1 &
	CH_PID[$name]=$!
	# no "Killed" job notice when a test kills it on purpose
	disown "${CH_PID[$name]}"
	for ((i = 0; i < CH_START_WAIT * 10; i++)); do
		ch_ready "$name" && return 0
		ch_alive "$name" || break
		sleep 0.1
	done
	echo "ch_start $name: no answer on $(ch_url "$name") (log: $dir/server.err.log)" >&2
	tail -n 5 "$dir/server.err.log" "$dir/stdout.log" >&2 2>/dev/null
	return 1
}

ch_start()
{
	local name=$1 dir=$2/$1 ns=$3 http=$4 tcp=$5
	shift 5
	id clickhouse >/dev/null 2>&1 || { echo "ch_start: no user clickhouse (install-deps.sh)" >&2; return 1; }
	[[ -x $CH_BIN ]] || { echo "ch_start: no $CH_BIN (install-deps.sh)" >&2; return 1; }
	mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" || return 1
	ch_config "$name" "$dir" "$http" "$tcp" "$@" >"$dir/config.xml"
	ch_users >"$dir/users.xml"
	chown -R clickhouse:clickhouse "$dir"
	CH_NS[$name]=$ns
	CH_HTTP[$name]=$http
	CH_CONF[$name]=$dir/config.xml
	ch_run "$name"
}

ch_stop()
{
	local name=$1 sig=${2:-TERM} i
	ch_alive "$name" || return 0
	kill "-$sig" "${CH_PID[$name]}" 2>/dev/null
	for ((i = 0; i < 300; i++)); do
		ch_alive "$name" || break
		sleep 0.1
	done
	ch_alive "$name" && kill -KILL "${CH_PID[$name]}" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		ch_alive "$name" || break
		sleep 0.1
	done
	CH_PID[$name]=
}

ch_q()
{
	ip netns exec "${CH_NS[$1]}" curl -sS --max-time 60 --fail-with-body \
		--data-binary "$2" "$(ch_url "$1")/"
}

ch_sql()
{
	local name=$1 stmt
	python3 -c '
import sys
text = "\n".join(l for l in sys.stdin.read().splitlines() if not l.lstrip().startswith("--"))
for s in text.split(";"):
    if s.strip():
        sys.stdout.write(s.strip().replace("\n", " ") + "\0")' | while IFS= read -r -d '' stmt; do
		ch_q "$name" "$stmt" >/dev/null || return 1
	done
}

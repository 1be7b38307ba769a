# tests/integration/ports.sh
#    free_port: print a TCP port on 127.0.0.1 that nothing listens on, so
#    two test runs on one machine (two work trees, two CI jobs) never
#    collide.  Pure bash (no python, no ss): a port is taken as free when
#    a connection to it is refused.  A small race remains between the
#    pick and the bind; the scripts' start-up checks catch it.
#    Ports are drawn at random from 20000-32767, below Linux's ephemeral
#    range (32768-60999, where the kernel picks client ports: a server
#    port there can be taken by any outgoing connection of another test
#    meanwhile); two picks of one script coincide about once in 12,768.

free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12768 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	echo "free_port: no free port found" >&2
	return 1
}

"""Load for the benchmark: many listening TCP sockets in one process.

Opens --count listeners on --host at ephemeral ports (port 0), prints "ready <count>" on stdout
when all listen, then holds them until its standard input closes (the benchmark ends it, or dies)
or it is killed. Raises its own RLIMIT_NOFILE soft limit as far as the hard limit allows.
"""
import argparse
import resource
import socket
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--count", type=int, default=5000)
args = parser.parse_args()

# stdin, stdout, stderr and a margin for the interpreter's own files.
needed = args.count + 64
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft != resource.RLIM_INFINITY and soft < needed:
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(
            f"open_listeners: need {needed} open files but the hard limit is {hard}; "
            f"raise it (ulimit -Hn) or ask for fewer sockets with --count"
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))

sockets = []
for _ in range(args.count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((args.host, 0))
    sock.listen(1)
    sockets.append(sock)

print("ready", len(sockets), flush=True)
# Blocks until the benchmark closes the pipe; a killed benchmark closes it too, so the sockets
# never outlive the run.
sys.stdin.read()

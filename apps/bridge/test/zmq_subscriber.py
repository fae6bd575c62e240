# A real ZeroMQ subscriber (pyzmq on libzmq, Debian python3-zmq): connects, subscribes to each
# prefix given, and prints every message as one JSON line {"topic": ..., "payload": ...}.
import json, sys, zmq

ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
sub.connect(sys.argv[1])
for prefix in sys.argv[2:]:
    sub.setsockopt(zmq.SUBSCRIBE, prefix.encode())
print(json.dumps({"ready": True}), flush=True)
while True:
    topic, payload = sub.recv_multipart()
    print(json.dumps({"topic": topic.decode(), "payload": payload.decode()}), flush=True)

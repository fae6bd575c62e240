/** Counters for `GET /_sim/stats` and benchmarks. */
export class SimStats {
  connectionsOpened = 0;
  connectionsClosed = 0;
  /** Every frame written to a socket (data, control replies, malformed). */
  framesSent = 0;
  bytesSent = 0;
  /** Data frames not sent because the simulator was told to stall. */
  framesSuppressed = 0;
  /** Frames a socket refused (send buffer full); the socket is closed when that happens. */
  framesDropped = 0;
  malformedSent = 0;
  pingsSent = 0;
  pongsReceived = 0;
  restRequests = 0;
  restRejected429 = 0;
  readonly closedBy = {
    lifetime: 0,
    pongTimeout: 0,
    rateLimit: 0,
    drop: 0,
    backpressure: 0,
    client: 0,
  };
}

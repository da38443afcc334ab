export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

/** A container that publishes (or, with host networking, listens on) the port. */
export interface ContainerFacts {
  id: string;
  name: string;
  image: string;
  state: string;
  composeProject: string | null;
  composeService: string | null;
  publishedPorts: PublishedPort[];
  /** `no`, `always`, `unless-stopped`, `on-failure`; null when not inspected. */
  restartPolicy: string | null;
  networkMode: string | null;
}

/** How the Docker engine answered. Docker not installed or not running is normal, not an error. */
export interface DockerStatus {
  state: 'ok' | 'not-installed' | 'not-running' | 'unresponsive' | 'error' | 'not-checked';
  /** The endpoint asked: `unix:///var/run/docker.sock`, `npipe:////./pipe/docker_engine`, `tcp://...`. */
  endpoint: string | null;
  /** Where the endpoint came from: `DOCKER_HOST`, `context <name>`, `default`. */
  endpointSource: string | null;
  message: string | null;
}

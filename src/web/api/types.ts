// The shapes of the Kiseki HTTP API (/api/v1) as the UI reads them. They
// follow the server's schemas (src/api/schemas.ts, docs/api.md).

export type Visibility = 'private' | 'group' | 'public';
export const VISIBILITIES: Visibility[] = ['private', 'group', 'public'];
export type NodeKind = 'job' | 'process' | 'file' | 'user';
export type EdgeKind = 'used' | 'wasGeneratedBy' | 'wasInformedBy' | 'wasStartedBy' | 'wasAssociatedWith' | 'wasDerivedFrom' | 'wasInvalidatedBy';

export interface JobHit {
  id: number;
  key?: string;
  jobId: string;
  scheduler: string;
  name: string | null;
  user: string | null;
  uid: number | null;
  script: string | null;
  start: string | null;
  end: string | null;
  state: string | null;
  exitCode: number | null;
  host: string | null;
  visibility: Visibility;
  matchedFiles: number;
}

export interface Paged<T> {
  total: number;
  page?: number;
  pageSize?: number;
  items: T[];
}

export interface GraphNode {
  id: number;
  key?: string;
  kind: NodeKind;
  label: string;
  path?: string;
  software?: boolean;
  visibility?: Visibility;
  attrs?: Record<string, unknown>;
}

export interface GraphEdge {
  id: string;
  kind: EdgeKind;
  from: number;
  to: number;
  role?: string | null;
}

export interface Group {
  id: string;
  kind: 'group';
  of: NodeKind;
  parent: number;
  relation: EdgeKind;
  /** 'out': edges parent → member (used); 'in': member → parent (wasGeneratedBy). */
  direction?: 'in' | 'out';
  count: number;
  sample: GraphNode[];
}

export interface JobGraph {
  job?: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  groups: Group[];
}

export interface Annotation {
  id: number;
  node?: number;
  key: string;
  value: string;
  author: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NodeDetail extends GraphNode {
  [field: string]: unknown;
}

export interface NodeResult {
  node: NodeDetail;
  annotations: Annotation[];
  neighbours: { kind: EdgeKind; direction: 'in' | 'out'; nodeKind?: NodeKind; count: number }[];
}

export interface Neighbour {
  edge: GraphEdge;
  node: GraphNode;
}

export type EntityType = 'job' | 'process' | 'file';
export type EntityRow = Record<string, unknown>;

export interface Relation {
  id: string;
  kind: EdgeKind;
  from: { id: number; kind: NodeKind; label: string };
  to: { id: number; kind: NodeKind; label: string };
}

export interface LinkCreated {
  id: string;
  url: string;
}

export interface LinkResult {
  id?: string;
  search: Record<string, unknown>;
  selection: string | null;
  createdAt: string;
}

// ── Users and access (src/api/routes/access-schemas.ts) ──────────────

export type Role = 'admin' | 'group_admin' | 'member';

export interface UserInfo {
  id: number;
  username: string;
  displayName: string | null;
  role: Role;
  uid: number | null;
  gid: number | null;
  groups: { gid: number; name: string | null }[];
  source: 'ldap' | 'oidc' | 'local';
  disabled: boolean;
  lastLoginAt: string | null;
}

export interface Session {
  signedIn: boolean;
  via: 'token' | 'local' | 'share' | 'session' | 'loopback' | 'anonymous';
  user: UserInfo | null;
  role: Role | 'anonymous' | 'share';
  csrf: string | null;
  share: { id: string; scope: 'job' | 'lineage'; node: number; expiresAt: string; createdBy: string | null } | null;
  methods: { password: boolean; oidc: { label: string } | null };
  idleTimeoutMinutes: number;
}

export interface TokenInfo {
  id: number;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface TokenCreated {
  token: string;
  info: TokenInfo;
}

export interface ShareInfo {
  id: string;
  scope: 'job' | 'lineage';
  node: number;
  label: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  uses: number;
}

export interface ShareCreated {
  token: string;
  url: string;
  info: ShareInfo;
}

export interface AuditEvent {
  id: number;
  at: string;
  action: string;
  actor: string | null;
  target: string | null;
  outcome: string;
  client: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditPage {
  total: number;
  page: number;
  pageSize: number;
  items: AuditEvent[];
}

/** What a diff between two plans records (a leaf module: the comment's parts read it too). */
export type ChangeKind = "create" | "update" | "replace" | "delete";

export interface InputChange {
  path: string;
  old?: unknown;
  new?: unknown;
}

export interface ResourceChange {
  kind: ChangeKind;
  urn: string;
  type: string;
  name: string;
  parent?: string;
  dependsOn: string[];
  changes: InputChange[];
  /** Why a change is a replacement (the input paths that force one). */
  replaceBecause: string[];
}

export interface PlanDiff {
  stack: string;
  against: string;
  changes: ResourceChange[];
  unchanged: number;
}

import {
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  Kind,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  valueFromASTUntyped,
  visit,
} from 'graphql';

/**
 * Apollo Federation's authorization directives, read from the upstream SDL with their
 * meaning: `@authenticated` (any credential) and `@requiresScopes(scopes: [[String!]!]!)`
 * (any one inner list, all of its scopes), on fields and on the types fields return
 * (objects, interfaces, scalars, enums). Every gateway request carries a credential, so
 * `@authenticated` is always met; it still counts as an annotation for the root default.
 */
export interface Requirement {
  /** Alternatives: met when every scope of one of them is held. Empty: any credential. */
  anyOf: readonly (readonly string[])[];
}

const AUTH_DIRECTIVES = new Set(['authenticated', 'requiresScopes']);

function requirementOf(directive: DirectiveNode): Requirement | null {
  if (directive.name.value === 'authenticated') return { anyOf: [] };
  if (directive.name.value !== 'requiresScopes') return null;
  const arg = directive.arguments?.find((a: ArgumentNode) => a.name.value === 'scopes');
  const value = arg ? valueFromASTUntyped(arg.value) : [];
  const lists = Array.isArray(value) ? value.map((inner) => (Array.isArray(inner) ? inner.map(String) : [String(inner)])) : [];
  return { anyOf: lists };
}

type Annotated = { astNode?: { directives?: readonly DirectiveNode[] } | null; extensionASTNodes?: readonly { directives?: readonly DirectiveNode[] }[] };

function requirementsOf(element: Annotated): Requirement[] {
  const nodes = [element.astNode, ...(element.extensionASTNodes ?? [])];
  return nodes.flatMap((node) => (node?.directives ?? []).filter((d) => AUTH_DIRECTIVES.has(d.name.value)).map(requirementOf)).filter((r): r is Requirement => r !== null);
}

function met(requirement: Requirement, scopes: ReadonlySet<string>): boolean {
  return requirement.anyOf.length === 0 || requirement.anyOf.some((all) => all.every((s) => scopes.has(s)));
}

/**
 * A field's requirements as one list of alternatives (met when every scope of one of them
 * is held; empty: any credential): the requirements all apply, so their alternatives
 * multiply out. The same rule as `met`, written for people to read.
 */
export function alternativesOf(requirements: readonly Requirement[]): string[][] {
  let alternatives: string[][] = [[]];
  for (const requirement of requirements) {
    if (requirement.anyOf.length === 0) continue;
    alternatives = alternatives.flatMap((held) => requirement.anyOf.map((all) => [...new Set([...held, ...all])].sort()));
  }
  const distinct = [...new Map(alternatives.map((all) => [all.join(' '), all])).values()];
  return distinct.length === 1 && distinct[0].length === 0 ? [] : distinct;
}

/** What one field needs, and whether that is the built-in default of a root field without its own annotation. */
export interface FieldRule {
  requirements: Requirement[];
  rootDefault: boolean;
}

/** The rules of one schema, read once: what each field needs, its own and its type's. */
export class FieldRules {
  private readonly byField = new Map<GraphQLField<unknown, unknown>, FieldRule>();

  constructor(private readonly schema: GraphQLSchema) {}

  /** What `field` of `parent` needs: its own annotations, its type's, and on a root field without its own, `read` or `write`. */
  rule(parent: GraphQLNamedType, field: GraphQLField<unknown, unknown>): FieldRule {
    let found = this.byField.get(field);
    if (found) return found;
    const own = requirementsOf(field);
    const ofType = requirementsOf(getNamedType(field.type));
    const rootDefault = own.length === 0 ? this.rootScope(parent) : null;
    found = { requirements: [...own, ...ofType, ...(rootDefault ? [{ anyOf: [[rootDefault]] }] : [])], rootDefault: rootDefault !== null };
    this.byField.set(field, found);
    return found;
  }

  allows(parent: GraphQLNamedType, field: GraphQLField<unknown, unknown>, scopes: ReadonlySet<string>): boolean {
    return this.rule(parent, field).requirements.every((r) => met(r, scopes));
  }

  /** Every root field, and every other object or interface field that carries a rule, in schema order. */
  ruledFields(): { parent: GraphQLNamedType; field: GraphQLField<unknown, unknown>; rule: FieldRule }[] {
    return Object.values(this.schema.getTypeMap())
      .flatMap((type) => (!type.name.startsWith('__') && (isObjectType(type) || isInterfaceType(type)) ? Object.values(type.getFields()).map((field) => ({ parent: type, field, rule: this.rule(type, field) })) : []))
      .filter(({ rule }) => rule.requirements.length > 0);
  }

  private rootScope(parent: GraphQLNamedType): string | null {
    if (parent === this.schema.getQueryType()) return 'read';
    if (parent === this.schema.getMutationType()) return 'write';
    return null;
  }
}

export interface RemovedField {
  path: string[];
}

export interface AuthorizedOperation {
  /** The operation with what the credential may not use removed; null when nothing is left. */
  document: DocumentNode | null;
  removed: RemovedField[];
}

/** The operation with its fragment spreads replaced by the fragments' selections (validation has ruled out cycles). */
function inlineFragments(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): OperationDefinitionNode {
  const inline = (set: SelectionSetNode): SelectionSetNode => ({
    ...set,
    selections: set.selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value)!;
        return { kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives: selection.directives, selectionSet: inline(fragment.selectionSet) };
      }
      return selection.selectionSet ? { ...selection, selectionSet: inline(selection.selectionSet) } : selection;
    }),
  });
  return { ...operation, selectionSet: inline(operation.selectionSet) };
}

/**
 * Removes from `operation` every field the scopes do not allow, before the upstream sees
 * it (Apollo Router's behaviour): each removal is reported with its response path; a field
 * whose whole selection was removed goes too. Variables only the removed fields used are
 * dropped from the operation, as the upstream would refuse an unused variable.
 */
export function authorizeOperation(schema: GraphQLSchema, rules: FieldRules, document: DocumentNode, operation: OperationDefinitionNode, scopes: ReadonlySet<string>): AuthorizedOperation {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const inlined = inlineFragments(operation, fragments);
  const removed: RemovedField[] = [];

  const filter = (set: SelectionSetNode, parent: GraphQLCompositeType, path: string[]): SelectionSetNode | null => {
    const kept: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        const inner = type && isCompositeType(type) ? filter(selection.selectionSet, type, path) : null;
        if (inner) kept.push({ ...selection, selectionSet: inner });
        continue;
      }
      if (selection.kind !== Kind.FIELD) continue;
      const keep = filterField(selection, parent, path);
      if (keep) kept.push(keep);
    }
    return kept.length > 0 ? { ...set, selections: kept } : null;
  };

  const filterField = (node: FieldNode, parent: GraphQLCompositeType, path: string[]): FieldNode | null => {
    if (node.name.value.startsWith('__')) return node;
    const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    if (!field) return node;
    const at = [...path, node.alias?.value ?? node.name.value];
    if (!rules.allows(parent, field, scopes)) {
      removed.push({ path: at });
      return null;
    }
    if (!node.selectionSet) return node;
    const type = getNamedType(field.type);
    const inner = isCompositeType(type) ? filter(node.selectionSet, type, at) : node.selectionSet;
    return inner ? { ...node, selectionSet: inner } : null;
  };

  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  const selectionSet = root ? filter(inlined.selectionSet, root, []) : null;
  if (!selectionSet) return { document: null, removed };
  const used = new Set<string>();
  for (const node of [selectionSet, ...(inlined.directives ?? [])]) visit(node, { Variable: (v) => void used.add(v.name.value) });
  const kept: OperationDefinitionNode = { ...inlined, selectionSet, variableDefinitions: inlined.variableDefinitions?.filter((d) => used.has(d.variable.name.value)) };
  return { document: { kind: Kind.DOCUMENT, definitions: [kept] }, removed };
}

/**
 * Least privilege, checked on the synthesized CloudFormation template (what is deployed, whatever code
 * produced it):
 *
 * 1. every environment variable of a Lambda function that names a resource (a reference to a resource of
 *    the template, or an ARN) is covered by a statement of that function's role; a variable without a
 *    grant means a function was told about a resource it cannot use, or was granted it some other way;
 * 2. every wildcard (`*`) in a policy statement's Resource carries a cdk-nag `AwsSolutions-IAM5`
 *    suppression on that policy that names it and gives a reason.
 *
 * Used by `infra/app.ts` after synth (synth fails on a finding) and by `test/infra`.
 */

type Json = unknown;
interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
  Metadata?: Record<string, Json>;
}
export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
}

export interface Finding {
  resource: string;
  message: string;
}

/** Renders a CloudFormation value the way cdk-nag's `flattenCfnReference` does (`<Logical.Attr>`). */
export function flatten(value: Json): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value !== 'object') return String(value);
  const v = value as Record<string, Json>;
  if (Array.isArray(v['Fn::Join'])) {
    const [delimiter, items] = v['Fn::Join'] as [string, Json[]];
    return items.map(flatten).join(delimiter);
  }
  if (v['Fn::Sub'] !== undefined) return flatten(v['Fn::Sub']);
  if (Array.isArray(v['Fn::GetAtt'])) {
    const [resource, attribute] = v['Fn::GetAtt'] as [Json, Json];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (v['Fn::ImportValue'] !== undefined) return flatten(v['Fn::ImportValue']);
  if (v.Ref !== undefined) return `<${flatten(v.Ref)}>`;
  return JSON.stringify(value);
}

/** Logical ids of template resources that a value refers to (Ref / Fn::GetAtt, anywhere inside it). */
export function referencedResources(value: Json, template: CfnTemplate): Set<string> {
  const found = new Set<string>();
  const resources = template.Resources ?? {};
  const visit = (node: Json): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, Json>;
    if (typeof o.Ref === 'string' && o.Ref in resources) found.add(o.Ref);
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && getAtt[0] in resources)
      found.add(getAtt[0]);
    Object.values(o).forEach(visit);
  };
  visit(value);
  return found;
}

const asArray = (value: Json): Json[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

interface Statement {
  Effect?: string;
  Action?: Json;
  Resource?: Json;
}

/** The Allow statements that apply to a role, with the logical id of the resource that holds each. */
function statementsOfRole(roleId: string, template: CfnTemplate): { holder: string; statement: Statement }[] {
  const out: { holder: string; statement: Statement }[] = [];
  const resources = template.Resources ?? {};
  const role = resources[roleId];
  for (const policy of asArray(role?.Properties?.Policies)) {
    const doc = (policy as { PolicyDocument?: { Statement?: Json } }).PolicyDocument;
    for (const s of asArray(doc?.Statement)) out.push({ holder: roleId, statement: s as Statement });
  }
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const roles = asArray(r.Properties?.Roles);
    if (!roles.some((ref) => (ref as { Ref?: string }).Ref === roleId)) continue;
    const doc = r.Properties?.PolicyDocument as { Statement?: Json } | undefined;
    for (const s of asArray(doc?.Statement)) out.push({ holder: id, statement: s as Statement });
  }
  return out.filter((s) => s.statement.Effect === 'Allow');
}

/** True when a variable's value names an AWS resource rather than a plain setting. */
function namesResource(value: Json, template: CfnTemplate): boolean {
  if (typeof value === 'string') return value.startsWith('arn:');
  return referencedResources(value, template).size > 0 || flatten(value).includes('arn:');
}

/** Check 1: no function is told about a resource it has no grant for. */
export function ungrantedEnvironment(template: CfnTemplate): Finding[] {
  const findings: Finding[] = [];
  for (const [fnId, fn] of Object.entries(template.Resources ?? {})) {
    if (fn.Type !== 'AWS::Lambda::Function') continue;
    const roleRef = fn.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const roleId = roleRef?.['Fn::GetAtt']?.[0];
    const statements = roleId === undefined ? [] : statementsOfRole(roleId, template);
    const granted = statements.flatMap(({ statement }) => asArray(statement.Resource));
    const variables =
      (fn.Properties?.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {};
    for (const [name, value] of Object.entries(variables)) {
      if (!namesResource(value, template)) continue;
      const wanted = referencedResources(value, template);
      const covered = granted.some((resource) => {
        if (flatten(resource) === flatten(value)) return true;
        if (wanted.size === 0) return false;
        const refs = referencedResources(resource, template);
        return [...wanted].every((id) => refs.has(id));
      });
      if (!covered)
        findings.push({
          resource: fnId,
          message: `environment variable ${name} names ${flatten(value)}, but the function's role has no statement on it`,
        });
    }
  }
  return findings;
}

interface NagAcknowledgement {
  id?: string;
  reason?: string;
}

const MIN_REASON_LENGTH = 20;

/**
 * cdk-nag v3 writes each acknowledgement into the resource's metadata as
 * `cdk_nag.rules_to_suppress: [{ id: 'AwsSolutions-IAM5[Resource::...]', reason }]`, one per finding.
 */
function suppressesWildcard(metadata: Record<string, Json> | undefined, finding: string): boolean {
  const rules =
    (metadata?.cdk_nag as { rules_to_suppress?: NagAcknowledgement[] } | undefined)?.rules_to_suppress ?? [];
  return rules.some(
    (rule) =>
      rule.id === `AwsSolutions-IAM5[${finding}]` && (rule.reason ?? '').trim().length >= MIN_REASON_LENGTH,
  );
}

/** Check 2: no wildcard resource without a justified suppression on the policy that holds it. */
export function unjustifiedWildcards(template: CfnTemplate): Finding[] {
  const findings: Finding[] = [];
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    const documents: Json[] = [];
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      documents.push(r.Properties?.PolicyDocument);
    if (r.Type === 'AWS::IAM::Role')
      for (const p of asArray(r.Properties?.Policies))
        documents.push((p as { PolicyDocument?: Json }).PolicyDocument);
    for (const doc of documents) {
      for (const s of asArray((doc as { Statement?: Json } | undefined)?.Statement) as Statement[]) {
        if (s.Effect !== 'Allow') continue;
        for (const resource of asArray(s.Resource).map(flatten)) {
          if (!resource.includes('*')) continue;
          const finding = `Resource::${resource}`;
          if (!suppressesWildcard(r.Metadata, finding))
            findings.push({
              resource: id,
              message: `wildcard resource ${resource} (actions ${asArray(s.Action).join(', ')}) without a justified AwsSolutions-IAM5 suppression`,
            });
        }
      }
    }
  }
  return findings;
}

export function leastPrivilegeFindings(template: CfnTemplate): Finding[] {
  return [...ungrantedEnvironment(template), ...unjustifiedWildcards(template)];
}

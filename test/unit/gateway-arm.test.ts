/**
 * The ARM template evaluator (src/gateway/arm/): each template function gateway templates use,
 * parameters from defaults, a parameters file and name=value, variables with copy, property and
 * resource copy loops, nested deployments in both scopes, reference() within the template, and
 * unknowable values that stay in place as ArmUnknown with their path and expression.
 */
import { describe, expect, it } from 'vitest';
import { evaluateTemplate, type EvaluateOptions } from '../../src/gateway/arm/template.js';
import { mergeParameters, isParameterFileArg } from '../../src/gateway/arm/parameters.js';
import { ArmUnknown, isUnknown } from '../../src/gateway/arm/values.js';
import { armGuid, uniqueString } from '../../src/gateway/arm/hash.js';
import { parseExpression } from '../../src/gateway/arm/expression.js';

type J = Record<string, unknown>;

/** Evaluate `value` as the `properties.v` of a template's only resource. */
function ev(value: unknown, extra: J = {}, options: EvaluateOptions = {}): unknown {
  const tpl = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', ...extra, resources: [{ type: 'Test.X/things', name: 'thing', properties: { v: value } }, ...((extra.resources as unknown[]) ?? [])] };
  const r = evaluateTemplate(tpl, options);
  return (r.resources[0]!.value.properties as J).v;
}

describe('ARM hashes', () => {
  it('uniqueString matches ARM for published values', () => {
    expect(uniqueString('test')).toBe('rbgf3xv4ufgzg');
    expect(uniqueString('hello', 'world')).toBe('a7wkljktk6wne');
    expect(uniqueString('abc')).toBe('cgtzqvhu4i23s');
    expect(uniqueString('/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg')).toBe('bmg7c6xu4tw46');
    expect(uniqueString('foo', 'bar', 'baz')).toBe('xzi4ioaxtmth4');
  });
  it('guid is a version-5 UUID, deterministic', () => {
    expect(armGuid('a', 'b')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(armGuid('a', 'b')).toBe(armGuid('a-b'));
    expect(armGuid('a')).not.toBe(armGuid('b'));
  });
});

describe('ARM expressions: syntax', () => {
  it('parses calls, members, indexes, escaped quotes', () => {
    expect(parseExpression("[concat('it''s', parameters('a').b[0])]")).toEqual({
      kind: 'call', name: 'concat', args: [
        { kind: 'string', value: "it's" },
        { kind: 'index', target: { kind: 'member', target: { kind: 'call', name: 'parameters', args: [{ kind: 'string', value: 'a' }] }, name: 'b' }, index: { kind: 'number', value: 0 } },
      ],
    });
  });
  it('"[[" is a literal; a syntax error is an unknown at that value only', () => {
    expect(ev('[[not an expression]')).toBe('[not an expression]');
    const u = ev("[concat('a']")!;
    expect(isUnknown(u)).toBe(true);
    expect((u as ArmUnknown).path).toBe('resources[0].properties.v');
    expect((u as ArmUnknown).reason).toMatch(/^not a valid expression: /);
  });
});

describe('ARM functions', () => {
  const cases: [string, unknown][] = [
    ["[concat('a', 'b', 1, true())]", 'ab1True'],
    ["[concat(createArray(1, 2), createArray(3))]", [1, 2, 3]],
    ["[format('{0}-{1}.{{x}}', 'a', 7)]", 'a-7.{x}'],
    ["[toLower('AbC')]", 'abc'],
    ["[toUpper('AbC')]", 'ABC'],
    ["[string(42)]", '42'],
    ["[string(createObject('a', 1))]", '{"a":1}'],
    ["[int('42')]", 42],
    ["[bool('TRUE')]", true],
    ["[if(equals(1, 1), 'yes', 'no')]", 'yes'],
    ["[if(false, parameters('missing'), 'taken')]", 'taken'],
    ["[not(equals('a', 'b'))]", true],
    ["[and(true, or(false, true))]", true],
    ["[empty('')]", true],
    ["[empty(createArray())]", true],
    ["[empty(createObject('a', 1))]", false],
    ["[length('abcd')]", 4],
    ["[length(createArray(1, 2))]", 2],
    ["[split('a,b,c', ',')]", ['a', 'b', 'c']],
    ["[replace('a-b-c', '-', '.')]", 'a.b.c'],
    ["[substring('abcdef', 1, 3)]", 'bcd'],
    ["[uniqueString('test')]", 'rbgf3xv4ufgzg'],
    ["[json('{\"a\": [1]}').a[0]]", 1],
    ["[add(mul(2, 3), 1)]", 7],
    ["[contains('Hello', 'ELL')]", true],
    ["[last(split('a/b/c', '/'))]", 'c'],
    ["[union(createObject('a', 1), createObject('b', 2))]", { a: 1, b: 2 }],
    ["[coalesce(null(), 'x')]", 'x'],
    ["[resourceGroup().name]", 'resourceGroup'],
    ["[subscription().subscriptionId]", '00000000-0000-0000-0000-000000000000'],
    ["[resourceId('Microsoft.Network/applicationGateways/probes', 'gw', 'p1')]", '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/resourceGroup/providers/Microsoft.Network/applicationGateways/gw/probes/p1'],
    ["[resourceId('other-rg', 'Microsoft.Network/publicIPAddresses/', 'pip')]", '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other-rg/providers/Microsoft.Network/publicIPAddresses/pip'],
    ["[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r1')]", '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/r1'],
  ];
  for (const [expr, want] of cases) it(expr, () => expect(ev(expr)).toEqual(want));

  it('resourceGroup() and subscription() take the deployment context when given', () => {
    expect(ev("[concat(subscription().subscriptionId, '/', resourceGroup().name)]", {}, { context: { subscriptionId: 's1', resourceGroup: 'rg1' } })).toBe('s1/rg1');
  });

  it('functions that need the live deployment are unknown, in place', () => {
    for (const expr of ["[listKeys('x', '2020-01-01').keys[0].value]", '[utcNow()]', '[newGuid()]', "[reference('/subscriptions/x/resourceGroups/y/providers/Microsoft.Web/sites/app').defaultHostName]"]) {
      const v = ev(expr);
      expect(isUnknown(v), expr).toBe(true);
      expect((v as ArmUnknown).expression).toBe(expr);
    }
  });

  it('reference() to a resource in the template: its properties; a runtime property is unknown', () => {
    const resources = [{ type: 'Microsoft.Web/sites', name: 'app1', properties: { serverFarmId: 'farm', hostNames: ['app1.contoso.com'] } }];
    expect(ev("[reference('app1').hostNames[0]]", { resources })).toBe('app1.contoso.com');
    expect(ev("[reference(resourceId('Microsoft.Web/sites', 'app1'), '2022-03-01').serverFarmId]", { resources })).toBe('farm');
    const u = ev("[reference('app1').defaultHostName]", { resources }) as ArmUnknown;
    expect(u.reason).toBe('defaultHostName is a runtime property of a referenced resource, not in the template');
  });
});

describe('ARM parameters and variables', () => {
  const parameters = {
    port: { type: 'int', defaultValue: 443 },
    host: { type: 'string' },
    on: { type: 'bool', defaultValue: false },
    secret: { type: 'securestring' },
    loc: { type: 'string', defaultValue: '[resourceGroup().location]' },
  };
  it('defaults, and the parameter with no value is unknown naming it', () => {
    expect(ev("[parameters('port')]", { parameters })).toBe(443);
    expect(ev("[parameters('LOC')]", { parameters })).toBe('location');
    expect((ev("[parameters('host')]", { parameters }) as ArmUnknown).reason).toBe('parameter host has no value and no default: give it with --parameters');
    expect((ev("[parameters('secret')]", { parameters }) as ArmUnknown).reason).toBe('parameter secret has no value and no default (a secure parameter): give it with --parameters');
  });
  it('a parameters file and name=value, later wins, typed by the declaration; a Key Vault reference is unknown', () => {
    const file = JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#', contentVersion: '1.0.0.0', parameters: { port: { value: 8443 }, host: { value: 'a.test' }, secret: { reference: { keyVault: { id: 'kv' }, secretName: 's' } } } });
    const given = mergeParameters([{ file: 'p.json', text: file }, { pair: 'HOST=b.test' }, { pair: 'on=true' }]);
    expect(ev("[parameters('port')]", { parameters }, { parameters: given })).toBe(8443);
    expect(ev("[parameters('host')]", { parameters }, { parameters: given })).toBe('b.test');
    expect(ev("[parameters('on')]", { parameters }, { parameters: given })).toBe(true);
    expect((ev("[parameters('secret')]", { parameters }, { parameters: given }) as ArmUnknown).reason).toBe('parameter secret is a Key Vault reference in p.json');
    expect(ev("[parameters('port')]", { parameters }, { parameters: mergeParameters([{ pair: 'port=9000' }]) })).toBe(9000);
  });
  it('tells a file from a name=value pair the way az does', () => {
    expect(isParameterFileArg('@p.json')).toBe(true);
    expect(isParameterFileArg('p.json')).toBe(true);
    expect(isParameterFileArg('name=value')).toBe(false);
  });
  it('variables: objects, arrays, copy, and variables of variables', () => {
    const variables = {
      base: 'gw',
      obj: { port: 443, names: ['a', 'b'] },
      full: "[concat(variables('base'), '-', variables('obj').names[1])]",
      copy: [{ name: 'members', count: 3, input: { fqdn: "[format('b{0}.test', copyIndex('members', 1))]" } }],
    };
    expect(ev("[variables('full')]", { variables })).toBe('gw-b');
    expect(ev("[variables('obj').port]", { variables })).toBe(443);
    expect(ev("[variables('members')]", { variables })).toEqual([{ fqdn: 'b1.test' }, { fqdn: 'b2.test' }, { fqdn: 'b3.test' }]);
  });
  it('records where a value came from', () => {
    const tpl = { $schema: 'x/deploymentTemplate.json#', parameters: { host: { type: 'string', defaultValue: 'a.test' } }, variables: { h: "[parameters('host')]" }, resources: [{ type: 'T.X/y', name: 'n', properties: { a: "[variables('h')]", b: 'literal' } }] };
    const r = evaluateTemplate(tpl);
    const props = r.resources[0]!.value.properties as J;
    expect(r.sourcesOf(props, 'a')).toEqual([{ kind: 'parameter', name: 'host', origin: 'default' }, { kind: 'variable', name: 'h' }]);
    expect(r.sourcesOf(props, 'b')).toBeUndefined();
  });
});

describe('ARM copy loops and nested deployments', () => {
  it('a property copy loop makes the named array', () => {
    const v = ev({ copy: [{ name: 'backendAddresses', count: 2, input: { ipAddress: "[concat('10.0.0.', copyIndex('backendAddresses', 4))]" } }] });
    expect(v).toEqual({ backendAddresses: [{ ipAddress: '10.0.0.4' }, { ipAddress: '10.0.0.5' }] });
  });
  it('a resource copy loop makes one resource per index', () => {
    const tpl = { $schema: 'x/deploymentTemplate.json#', resources: [{ type: 'T.X/y', name: "[concat('r', copyIndex())]", copy: { name: 'rs', count: 2 }, properties: {} }] };
    expect(evaluateTemplate(tpl).resources.map((r) => r.name)).toEqual(['r0', 'r1']);
  });
  it('nested deployments: inner scope takes its parameters; outer scope sees the parent', () => {
    const inner = { $schema: 'x/deploymentTemplate.json#', parameters: { h: { type: 'string' } }, resources: [{ type: 'Microsoft.Network/applicationGateways', name: 'gw-inner', properties: { host: "[parameters('h')]" } }] };
    const outerTpl = { $schema: 'x/deploymentTemplate.json#', parameters: { h: { type: 'string', defaultValue: 'outer.test' } }, resources: [{ type: 'T.X/y', name: 'first', properties: {} },
      { type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'mod', properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, parameters: { h: { value: "[concat('in.', parameters('h'))]" } }, template: inner } },
      { type: 'Microsoft.Resources/deployments', apiVersion: '2019-10-01', name: 'legacy', properties: { mode: 'Incremental', template: { $schema: 'x/deploymentTemplate.json#', resources: [{ type: 'T.X/z', name: 'z', properties: { host: "[parameters('h')]" } }] } } }] };
    const r = evaluateTemplate(outerTpl);
    const gw = r.resources.find((x) => x.name === 'gw-inner')!;
    expect((gw.value.properties as J).host).toBe('in.outer.test');
    expect(gw.path).toBe('resources[1].properties.template.resources[0]');
    expect(r.sourcesOf(gw.value.properties as J, 'host')).toEqual([
      { kind: 'parameter', name: 'h', origin: 'module', file: 'resources[1]' },
      { kind: 'parameter', name: 'h', origin: 'default' },
    ]);
    expect((r.resources.find((x) => x.name === 'z')!.value.properties as J).host).toBe('outer.test');
  });
  it('a symbolic-name template (languageVersion 2.0) reads its resources object', () => {
    const tpl = { $schema: 'x/deploymentTemplate.json#', languageVersion: '2.0', resources: { gw: { type: 'Microsoft.Network/applicationGateways', name: 'g', properties: {} } } };
    expect(evaluateTemplate(tpl).resources.map((r) => [r.name, r.path])).toEqual([['g', 'resources.gw']]);
  });
});

describe('ARM evaluation is bounded on hostile templates', () => {
  it('self-reference, doubling strings, nested copy loops and deep nesting end quickly as unknowns', () => {
    const t0 = Date.now();
    const variables: J = { self: "[variables('self')]", a0: 'xxxxxxxxxxxxxxxx' };
    for (let i = 1; i <= 40; i++) variables[`a${i}`] = `[concat(variables('a${i - 1}'), variables('a${i - 1}'))]`;
    expect((ev("[variables('self')]", { variables }) as ArmUnknown).reason).toBe('variable self refers to itself');
    expect((ev("[variables('a40')]", { variables }) as ArmUnknown).reason).toMatch(/made a value longer than 1000000/);
    const loop = (depth: number): unknown => (depth === 0 ? 'x' : { copy: [{ name: `l${depth}`, count: 800, input: loop(depth - 1) }] });
    expect(JSON.stringify(ev(loop(3)))).toMatch(/copy loops exceed 100000 items in total/);
    const deep = `[${'concat('.repeat(200)}'a'${')'.repeat(200)}]`;
    expect((ev(deep) as ArmUnknown).reason).toMatch(/^not a valid expression: expression nested too deeply/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('module outputs', () => {
  it('reference(module).outputs.NAME.value: known when the module computes it, in any resource order', () => {
    const webMod = { $schema: 'x/deploymentTemplate.json#', parameters: { name: { type: 'string' } }, resources: [{ type: 'Microsoft.Web/sites', name: "[parameters('name')]", properties: {} }],
      outputs: { host: { type: 'string', value: "[format('{0}.azurewebsites.net', parameters('name'))]" }, live: { type: 'string', value: "[reference(resourceId('Microsoft.Web/sites', parameters('name'))).defaultHostName]" } } };
    const tpl = { $schema: 'x/deploymentTemplate.json#', resources: [
      { type: 'Microsoft.Network/applicationGateways', name: 'gw', properties: { host: "[reference(resourceId('Microsoft.Resources/deployments', 'web'), '2022-09-01').outputs.host.value]", live: "[reference('web').outputs.live.value]" } },
      { type: 'Microsoft.Resources/deployments', name: 'web', properties: { expressionEvaluationOptions: { scope: 'inner' }, mode: 'Incremental', parameters: { name: { value: 'shop' } }, template: webMod } },
    ] };
    const r = evaluateTemplate(tpl);
    const gw = r.resources.find((x) => x.name === 'gw')!.value.properties as J;
    expect(gw.host).toBe('shop.azurewebsites.net');
    expect((gw.live as ArmUnknown).reason).toBe('defaultHostName is a runtime property of a referenced resource, not in the template');
    expect(r.resources.map((x) => x.name)).toEqual(['gw', 'web', 'shop']);
  });
});

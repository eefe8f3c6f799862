import type { Component, SystemModel } from '../../model/system-model.ts';
import type { DesignReport } from '../design-report.ts';
import { containerDiagram } from '../diagrams/container-diagram.ts';
import { codes, diagram, heading, list, paragraph, strong, type Block, type Inline } from '../render/doc-tree.ts';
import { article, count, words } from './format.ts';

const STYLE: Record<SystemModel['architecture']['style'], string> = {
  'modular-monolith': 'one deployable whose modules keep their own data and talk through interfaces and events',
  microservices: 'independently deployable services, each owning its data',
  'event-driven': 'components that react to events published on a queue',
  monolith: 'one deployable sharing one data model',
  serverless: 'functions run on demand by the platform',
};

/**
 * "System Architecture" / "High-Level Design": the architecture style, each component with its
 * purpose (and what it owns, consumes, how it scales), the data storage, and the container diagram.
 * The "Component Interactions" subsection follows as its own section file.
 */
export function systemArchitecture(report: DesignReport): Block[] {
  const { model } = report;
  const { style, components, storage } = model.architecture;
  const storageItems: Inline[][] = [
    ['Data storage using ', strong(storage.primary.engine), ` for ${storage.primary.purpose ?? 'the system\'s records'} (`, ...codes(storage.primary.holds), ').'],
  ];
  if (storage.cache) storageItems.push(['Caching using ', strong(storage.cache.engine), ` (up to ${count(storage.cache.maxEntries)} entries).`]);
  if (storage.queue) storageItems.push(['Event transport using ', strong(storage.queue.engine), ` for ${words(model.events.map((e) => e.name), 'domain events')}.`]);
  return [
    heading(2, 'System Architecture'),
    heading(3, 'High-Level Design'),
    paragraph(`Propose ${article(style)} `, strong(style), ` architecture (${STYLE[style]}) with the following components:`),
    list([...components.map((c) => componentItem(model, c)), ...storageItems]),
    paragraph('The container diagram shows the system boundary, what runs inside it and the external systems it calls. Solid arrows are synchronous calls, dotted arrows asynchronous messages; labels name the flows and events that use them.'),
    diagram('Container diagram', containerDiagram(model)),
  ];
}

function componentItem(model: SystemModel, c: Component): Inline[] {
  const phrase: Record<Component['kind'], string> = {
    gateway: 'for handling',
    service: 'responsible for',
    worker: 'to manage',
    frontend: 'for handling',
    scheduler: 'to manage',
  };
  const details: Inline[] = [];
  if (c.owns.length) details.push('; owns ', ...codes(c.owns));
  if (c.consumes.length) details.push('; consumes ', ...codes(c.consumes));
  const scaling = model.scalability.horizontal.components.includes(c.name)
    ? `; scaled horizontally (${model.scalability.instances.min} to ${model.scalability.instances.max} instances)`
    : '';
  return [strong(c.name), ` (${c.kind}) ${phrase[c.kind]} ${c.purpose}`, ...details, `${scaling}.`];
}

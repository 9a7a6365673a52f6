/**
 * Starting points for a new note (workshop notes, case study, reflection) and the
 * headings they give: content, so kept as markdown here rather than as UI strings.
 */

export interface NoteTemplate {
  id: 'blank' | 'workshop_notes' | 'case_study' | 'reflection';
  noteKind: 'workshop_notes' | 'case_study' | 'reflection' | null;
  body: string;
}

export const NOTE_TEMPLATES: readonly NoteTemplate[] = [
  { id: 'blank', noteKind: null, body: '' },
  {
    id: 'workshop_notes',
    noteKind: 'workshop_notes',
    body: `## Context
Session, place, who was there.

## Key points
- 

## Decisions and actions
- [ ] 

## Questions for the learning agenda
- 

## Follow-up
`,
  },
  {
    id: 'case_study',
    noteKind: 'case_study',
    body: `## The challenge
What problem, for whom, where.

## What was done
Approach, partners, method, timeline.

## Results
What changed; figures where there are any.

## What others can learn
What transfers, what depends on the context.

## Contacts and sources
`,
  },
  {
    id: 'reflection',
    noteKind: 'reflection',
    body: `## What happened?

## What went well, and why?

## What was difficult?

## What do I take away?

## What will I do differently?
`,
  },
];

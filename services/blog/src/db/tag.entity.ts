import { defineEntity, p } from '@mikro-orm/core';

export const Tag = defineEntity({
  name: 'Tag',
  tableName: 'tag',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(64).unique('tag_name_key'),
  },
});

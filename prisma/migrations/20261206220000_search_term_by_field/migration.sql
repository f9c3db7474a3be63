-- A search asks for a term in given fields (names, or documents): with the field in the index, a
-- document number is not looked for among the many names that share its letters.
DROP INDEX "SearchTerm_term_idx";

CREATE INDEX "SearchTerm_term_field_idx" ON "SearchTerm"("term", "field");

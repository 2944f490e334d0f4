// A text block as one line, like YAML's `>-`: the descriptions read as
// paragraphs in the mixin and render as single lines in the rules.
function(text) std.join(' ', std.split(std.rstripChars(text, '\n'), '\n'))

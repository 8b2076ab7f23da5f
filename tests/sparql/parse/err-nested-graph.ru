INSERT DATA { GRAPH <g> { GRAPH <h> { <s> <p> <o> } } }

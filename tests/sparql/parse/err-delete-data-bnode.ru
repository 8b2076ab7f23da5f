DELETE DATA { <s> <p> [] }

DELETE WHERE { <https://fairdex.example.org/dataset/it-new> ?p ?o }

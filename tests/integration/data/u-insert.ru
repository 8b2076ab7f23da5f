PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct:  <http://purl.org/dc/terms/>
INSERT DATA {
  <https://fairdex.example.org/dataset/it-new> a dcat:Dataset ;
    dct:title "inserted by the integration tests" .
}

PREFIX dct: <http://purl.org/dc/terms/>
INSERT DATA {
  <https://fairdex.example.org/dataset/it-new> dct:title
}

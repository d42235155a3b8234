import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Node;
import org.apache.jena.graph.NodeFactory;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.riot.RDFFormat;
import org.apache.jena.riot.system.StreamRDF;
import org.apache.jena.riot.system.StreamRDFWriter;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.sparql.core.Quad;
import org.apache.jena.sparql.graph.GraphFactory;

/**
 * Validates many data files in one JVM with Apache Jena SHACL.
 *
 * Usage: ShaclReferee SHAPES ONTOLOGY OUTPUT.nq DATA...
 * Each data file is validated with the ontology's triples mixed in (as nephrokb does); the
 * report graph of each goes to OUTPUT.nq as N-Quads, in a graph named by the data file's URI.
 * A data file Jena cannot read gets a graph holding one triple: its URI, rdfs:comment, the error.
 */
public class ShaclReferee {
    public static void main(String[] args) throws Exception {
        Graph shapesGraph = GraphFactory.createDefaultGraph();
        RDFDataMgr.read(shapesGraph, args[0]);
        Shapes shapes = Shapes.parse(shapesGraph);
        Graph ontology = GraphFactory.createDefaultGraph();
        RDFDataMgr.read(ontology, args[1]);
        Node comment = NodeFactory.createURI("http://www.w3.org/2000/01/rdf-schema#comment");
        try (OutputStream out = new FileOutputStream(args[2])) {
            StreamRDF stream = StreamRDFWriter.getWriterStream(out, RDFFormat.NQUADS);
            stream.start();
            for (int index = 3; index < args.length; index++) {
                Node name = NodeFactory.createURI(Path.of(args[index]).toAbsolutePath().toUri().toString());
                Graph data = GraphFactory.createDefaultGraph();
                try {
                    RDFDataMgr.read(data, args[index]);
                } catch (RuntimeException error) {
                    stream.quad(Quad.create(name, name, comment, NodeFactory.createLiteral(String.valueOf(error.getMessage()))));
                    continue;
                }
                ontology.find().forEachRemaining(data::add);
                ValidationReport report = ShaclValidator.get().validate(shapes, data);
                report.getGraph().find().forEachRemaining(triple -> stream.quad(Quad.create(name, triple)));
            }
            stream.finish();
        }
    }
}

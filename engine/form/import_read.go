package form

import (
	"context"
	"errors"
	"io"

	"github.com/tangram/tangram/engine/errs"
)

// importBatch is a batch of rows read ahead of the writer.
type importBatch struct {
	rows []*importRow
	// prepared are the batch's creates, prepared by the reader
	// (Records.prepareMany): set for imports without UpsertBy, where
	// every row is a create.
	prepared *manyResult
	stop     *importStop // the rows end here, with a problem of the file's own
	err      error       // reading failed: the import ends
}

// importStop is a row the import cannot go past (unreadable, or past
// MaxImportRows).
type importStop struct {
	row int
	fe  errs.FieldError
}

// read sends the rows of rr in batches of ImportBatchSize, then closes
// out. Each cell goes through its field type's Parse; without UpsertBy
// the batch's records are prepared too (validation, defaults, formulas),
// which needs no store read. Only the batch being prepared, one waiting
// and the one being written are in memory.
func (im *Importer) read(ctx context.Context, rr RowReader, out chan<- *importBatch) {
	defer close(out)
	send := func(b *importBatch) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	rows := 0
	batch := make([]*importRow, 0, ImportBatchSize)
	emit := func(stop *importStop) bool {
		b := &importBatch{rows: batch, stop: stop}
		if im.o.UpsertBy == "" && len(batch) > 0 {
			b.prepared, b.err = im.prepareCreates(ctx, batch)
		}
		batch = make([]*importRow, 0, ImportBatchSize)
		return send(b)
	}
	for {
		cells, row, err := rr.Next()
		var ur *ErrRowUnreadable
		switch {
		case errors.Is(err, io.EOF):
			emit(nil)
			return
		case errors.As(err, &ur):
			emit(&importStop{row: row, fe: ioFieldErr(im.lang, "", "import.row_unreadable", ur.Err.Error())})
			return
		case err != nil:
			send(&importBatch{err: err})
			return
		}
		if blankRow(cells) {
			continue
		}
		if rows >= MaxImportRows {
			emit(&importStop{row: row, fe: ioFieldErr(im.lang, "", "import.too_many_rows", MaxImportRows)})
			return
		}
		rows++
		batch = append(batch, im.parseRow(cells, row))
		if len(batch) == ImportBatchSize && !emit(nil) {
			return
		}
		if err := ctx.Err(); err != nil {
			send(&importBatch{err: err})
			return
		}
	}
}

// prepareCreates prepares rows as new records, their cell problems
// reported with the rest, and checks their unique values against the
// stored records (Records.checkUnique).
func (im *Importer) prepareCreates(ctx context.Context, rows []*importRow) (*manyResult, error) {
	inputs := make([]map[string]any, len(rows))
	pre := make([][]errs.FieldError, len(rows))
	for i, row := range rows {
		inputs[i], pre[i] = row.input, row.fe
	}
	res, err := im.r.prepareMany(ctx, im.p, im.f, im.dCreate, inputs, pre, im.writeOptions(false))
	if err != nil {
		return nil, err
	}
	return res, im.r.checkUnique(ctx, im.f, res, im.lang)
}

import { Column, PrimaryColumn } from 'typeorm';
import { decimalTransformer } from './decimal.transformer';

/**
 * What every line of a stock document has (goods receipts, write-offs, transfers,
 * counts): its document, a product and a quantity. Each line type is its own
 * table with these columns and its own.
 */
export abstract class StockDocumentLine {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'document_id', type: 'varchar', length: 36 })
  documentId: string;

  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  /** In the product's unit, positive. */
  @Column({ type: 'decimal', precision: 12, scale: 3, transformer: decimalTransformer })
  quantity: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
